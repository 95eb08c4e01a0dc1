package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat256;
import org.junit.jupiter.api.Test;

/**
 * {@link P256Field} against BigInteger arithmetic modulo p (and the product against Bouncy Castle's
 * {@code SecP256R1Field}) on thousands of random elements and on the reduction's edge values: 0, 1, 2, p - 1,
 * p - 2, values whose Montgomery form is 0, 1 or p - 1, all-ones limbs and single bits, 2^256 - 1 mod p.
 */
class P256FieldTest {
    private static final BigInteger P = P256Field.P;
    private static final BigInteger R = BigInteger.ONE.shiftLeft(P256Field.LIMBS * P256Field.LIMB_BITS);
    private static final int RANDOM = 4000;

    static List<BigInteger> values() {
        Random random = new Random(0x5eed256L);
        List<BigInteger> out = new ArrayList<>();
        BigInteger rInverse = R.modInverse(P);
        for (BigInteger v : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO, P.subtract(BigInteger.ONE),
                P.subtract(BigInteger.TWO), P.shiftRight(1), P.shiftRight(1).add(BigInteger.ONE),
                R.subtract(BigInteger.ONE).mod(P), R.mod(P), rInverse, P.subtract(rInverse),
                rInverse.multiply(P.subtract(BigInteger.ONE)).mod(P), BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE),
                BigInteger.ONE.shiftLeft(255), BigInteger.ONE.shiftLeft(224), BigInteger.ONE.shiftLeft(192).subtract(BigInteger.ONE),
                BigInteger.ONE.shiftLeft(96).subtract(BigInteger.ONE), BigInteger.TEN,
                BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(256)}) {
            out.add(v.mod(P));
        }
        for (int bit = 0; bit < 256; bit += 7) {
            out.add(BigInteger.ONE.shiftLeft(bit).mod(P));
            out.add(P.subtract(BigInteger.ONE.shiftLeft(bit).mod(P)).mod(P));
        }
        for (int i = 0; i < RANDOM; i++) {
            out.add(new BigInteger(256, random).mod(P));
        }
        // Limbs of all ones or zeros near p: values just under p with long runs.
        for (int i = 0; i < 200; i++) {
            out.add(P.subtract(BigInteger.valueOf(random.nextInt(1 << 20))).mod(P));
        }
        return out;
    }

    @Test
    void roundTripsThroughMontgomeryForm() {
        for (BigInteger v : values()) {
            assertEquals(v, P256Field.toBigInteger(P256Field.fromBigInteger(v)));
        }
    }

    @Test
    void multiplySquareAddSubtractNegateMatchBigInteger() {
        List<BigInteger> vs = values();
        long[] z = P256Field.create();
        for (int i = 0; i < vs.size(); i++) {
            BigInteger a = vs.get(i);
            BigInteger b = vs.get((i * 31 + 7) % vs.size());
            long[] fa = P256Field.fromBigInteger(a);
            long[] fb = P256Field.fromBigInteger(b);
            P256Field.multiply(fa, fb, z);
            assertEquals(a.multiply(b).mod(P), P256Field.toBigInteger(z), "a*b " + a + " " + b);
            P256Field.square(fa, z);
            assertEquals(a.multiply(a).mod(P), P256Field.toBigInteger(z), "a^2 " + a);
            P256Field.add(fa, fb, z);
            assertEquals(a.add(b).mod(P), P256Field.toBigInteger(z), "a+b");
            P256Field.subtract(fa, fb, z);
            assertEquals(a.subtract(b).mod(P), P256Field.toBigInteger(z), "a-b");
            P256Field.negate(fa, z);
            assertEquals(a.negate().mod(P), P256Field.toBigInteger(z), "-a");
            P256Field.twice(fa, z);
            assertEquals(a.shiftLeft(1).mod(P), P256Field.toBigInteger(z), "2a");
            // Reduced limbs: the Montgomery form itself is below p.
            assertEquals(-1, limbsValue(z).compareTo(P));
        }
    }

    @Test
    void multiplySmallMatchesBigIntegerForEveryConstant() {
        long[] z = P256Field.create();
        for (BigInteger a : values()) {
            for (int k = 1; k <= 8; k++) {
                long[] fa = P256Field.fromBigInteger(a);
                P256Field.multiplySmall(fa, k, z);
                assertEquals(a.multiply(BigInteger.valueOf(k)).mod(P), P256Field.toBigInteger(z), k + " * " + a);
                assertEquals(-1, limbsValue(z).compareTo(P));
                P256Field.multiplySmall(fa, k, fa); // aliased
                assertArrayEquals(z, fa);
            }
        }
    }

    @Test
    void everyPairOfEdgeValues() {
        List<BigInteger> edges = values().subList(0, 90);
        long[] z = P256Field.create();
        for (BigInteger a : edges) {
            for (BigInteger b : edges) {
                long[] fa = P256Field.fromBigInteger(a);
                long[] fb = P256Field.fromBigInteger(b);
                P256Field.multiply(fa, fb, z);
                assertEquals(a.multiply(b).mod(P), P256Field.toBigInteger(z));
                P256Field.add(fa, fb, z);
                assertEquals(a.add(b).mod(P), P256Field.toBigInteger(z));
                P256Field.subtract(fa, fb, z);
                assertEquals(a.subtract(b).mod(P), P256Field.toBigInteger(z));
                // Raw limbs (not Montgomery): the product of the raw values times R^-1.
                P256Field.multiply(limbsOf(a), limbsOf(b), z);
                assertEquals(a.multiply(b).multiply(R.modInverse(P)).mod(P), limbsValue(z));
            }
        }
    }

    @Test
    void multiplyAgreesWithBouncyCastle() {
        List<BigInteger> vs = values();
        long[] z = P256Field.create();
        int[] bc = Nat256.create();
        for (int i = 0; i < vs.size(); i++) {
            BigInteger a = vs.get(i);
            BigInteger b = vs.get(vs.size() - 1 - i);
            P256Field.multiply(P256Field.fromBigInteger(a), P256Field.fromBigInteger(b), z);
            SecP256R1Field.multiply(SecP256R1Field.fromBigInteger(a), SecP256R1Field.fromBigInteger(b), bc);
            assertEquals(Nat256.toBigInteger(bc), P256Field.toBigInteger(z));
        }
    }

    @Test
    void aliasedOperands() {
        for (BigInteger a : values().subList(0, 500)) {
            long[] z = P256Field.fromBigInteger(a);
            P256Field.multiply(z, z, z);
            assertEquals(a.multiply(a).mod(P), P256Field.toBigInteger(z));
            z = P256Field.fromBigInteger(a);
            P256Field.square(z, z);
            assertEquals(a.multiply(a).mod(P), P256Field.toBigInteger(z));
            z = P256Field.fromBigInteger(a);
            P256Field.subtract(z, z, z);
            assertEquals(BigInteger.ZERO, P256Field.toBigInteger(z));
            z = P256Field.fromBigInteger(a);
            P256Field.add(z, z, z);
            assertEquals(a.shiftLeft(1).mod(P), P256Field.toBigInteger(z));
        }
    }

    @Test
    void invertMatchesBigIntegerAndRefusesZero() {
        long[] z = P256Field.create();
        for (BigInteger a : values()) {
            if (a.signum() == 0) {
                assertThrows(ArithmeticException.class, () -> P256Field.invert(P256Field.create(), z));
                continue;
            }
            P256Field.invert(P256Field.fromBigInteger(a), z);
            assertEquals(a.modInverse(P), P256Field.toBigInteger(z), "1/" + a);
        }
    }

    @Test
    void wordsRoundTrip() {
        for (BigInteger a : values()) {
            long[] limbs = P256Field.limbs(a);
            int[] words = new int[8];
            P256Field.toWords(limbs, words);
            assertEquals(a, Nat256.toBigInteger(words));
            long[] back = P256Field.create();
            P256Field.fromWords(words, back);
            assertArrayEquals(limbs, back);
        }
    }

    @Test
    void sqrtOfSquaresAndRefusalOfNonSquares() {
        long[] z = P256Field.create();
        int squares = 0;
        int nonSquares = 0;
        for (BigInteger a : values().subList(0, 1500)) {
            boolean isSquare = a.signum() == 0 || a.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
            int root = P256Field.sqrt(P256Field.fromBigInteger(a), z);
            assertEquals(isSquare ? 1 : 0, root, "is " + a + " a square");
            if (isSquare) {
                squares++;
                BigInteger r = P256Field.toBigInteger(z);
                assertEquals(a, r.multiply(r).mod(P));
                assertEquals(a.modPow(P.add(BigInteger.ONE).shiftRight(2), P), r);
            } else {
                nonSquares++;
            }
        }
        // Both branches were exercised.
        assertEquals(true, squares > 500 && nonSquares > 500, squares + " / " + nonSquares);
    }

    @Test
    void helpers() {
        long[] a = P256Field.fromBigInteger(BigInteger.valueOf(12345));
        long[] b = P256Field.fromBigInteger(BigInteger.valueOf(12345));
        long[] c = P256Field.fromBigInteger(BigInteger.valueOf(12346));
        assertEquals(1, P256Field.equal(a, b));
        assertEquals(0, P256Field.equal(a, c));
        assertEquals(1, P256Field.isZero(P256Field.create()));
        assertEquals(0, P256Field.isZero(a));
        assertEquals(1, P256Field.parity(a));
        assertEquals(0, P256Field.parity(c));
        long[] z = c.clone();
        P256Field.conditionalMove(0, a, z);
        assertArrayEquals(c, z);
        P256Field.conditionalMove(1, a, z);
        assertArrayEquals(a, z);
        assertEquals(BigInteger.ONE, P256Field.toBigInteger(P256Field.ONE));
    }

    private static long[] limbsOf(BigInteger v) {
        return P256Field.limbs(v);
    }

    private static BigInteger limbsValue(long[] z) {
        BigInteger v = BigInteger.ZERO;
        for (int i = P256Field.LIMBS - 1; i >= 0; i--) {
            assertEquals(0, z[i] >>> P256Field.LIMB_BITS, "limb " + i + " above 52 bits");
            v = v.shiftLeft(P256Field.LIMB_BITS).or(BigInteger.valueOf(z[i]));
        }
        return v;
    }
}
