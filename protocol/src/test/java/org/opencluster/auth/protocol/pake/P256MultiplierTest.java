package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * The Java multipliers ({@link RegularWindowMultiplier} on {@link P256Field}, {@link GeneratorMultiplier}) and
 * {@link P256Group}'s choice (libcrypto where {@link NativeP256} chose it, see {@link NativeP256Test}) against Bouncy Castle's
 * {@code ECPoint.multiply} on thousands of random scalars and points, on edge scalars (1, 2, 3, n - 1, n - 2,
 * n - 3, n / 2, runs of zeros and ones, single bits, every scalar near 0 and n in steps of 16) and edge points
 * (the generator, -P, the point with x = 0 when there is one, P and -P of the same x); 0, n and the identity are
 * refused.
 */
class P256MultiplierTest {
    private static final BigInteger N = P256Group.ORDER;
    private static final int RANDOM = 2000;

    static List<BigInteger> edgeScalars() {
        List<BigInteger> out = new ArrayList<>();
        for (long v : new long[] {1, 2, 3, 4, 15, 16, 17, 31, 32, 33}) {
            out.add(BigInteger.valueOf(v));
            out.add(N.subtract(BigInteger.valueOf(v)));
        }
        out.add(N.shiftRight(1));
        out.add(N.shiftRight(1).add(BigInteger.ONE));
        for (int bits = 1; bits < 256; bits += 5) {
            out.add(BigInteger.ONE.shiftLeft(bits)); // a single one then zeros
            out.add(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)); // a run of ones
            out.add(N.subtract(BigInteger.ONE.shiftLeft(bits)).mod(N));
        }
        out.add(BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE));
        // Alternating runs: 0xffff0000... and 0x0000ffff... patterns.
        out.add(new BigInteger("ffff0000".repeat(8), 16).mod(N));
        out.add(new BigInteger("0000ffff".repeat(8), 16));
        out.add(new BigInteger("f0".repeat(32), 16).mod(N));
        out.add(new BigInteger("0f".repeat(32), 16));
        out.add(new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", 16)); // n - 1
        out.removeIf(k -> k.signum() == 0);
        return out;
    }

    static List<ECPoint> edgePoints(Random random) {
        List<ECPoint> out = new ArrayList<>();
        out.add(P256Group.GENERATOR);
        out.add(P256Group.GENERATOR.negate().normalize());
        ECPoint p = P256Group.GENERATOR.multiply(new BigInteger(256, random).mod(N)).normalize();
        out.add(p);
        out.add(p.negate().normalize());
        out.add(P256Group.GENERATOR.multiply(N.subtract(BigInteger.ONE)).normalize());
        // x = 0: y^2 = b, a point when b is a square mod p.
        BigInteger b = P256Group.CURVE.getB().toBigInteger();
        BigInteger pr = P256Field.P;
        BigInteger y = b.modPow(pr.add(BigInteger.ONE).shiftRight(2), pr);
        if (y.multiply(y).mod(pr).equals(b)) {
            out.add(P256Group.CURVE.createPoint(BigInteger.ZERO, y));
            out.add(P256Group.CURVE.createPoint(BigInteger.ZERO, pr.subtract(y)));
        }
        return out;
    }

    @Test
    void randomScalarsOnRandomPointsAgreeWithBouncyCastle() {
        Random random = new Random(0x256256L);
        for (int i = 0; i < RANDOM; i++) {
            BigInteger k = randomScalar(random);
            ECPoint point = i % 2 == 0 ? P256Group.GENERATOR
                    : P256Group.GENERATOR.multiply(randomScalar(random)).normalize();
            assertMultiplies(point.multiply(k).normalize(), k, point);
        }
    }

    @Test
    void edgeScalarsOnEdgePointsAgreeWithBouncyCastle() {
        List<ECPoint> points = edgePoints(new Random(7));
        for (ECPoint point : points) {
            assertEquals(true, point.isValid());
            for (BigInteger k : edgeScalars()) {
                assertMultiplies(point.multiply(k).normalize(), k, point);
            }
        }
    }

    @Test
    void everyScalarNearZeroAndNearTheOrder() {
        ECPoint point = P256Group.GENERATOR.multiply(BigInteger.valueOf(123456789)).normalize();
        for (int i = 1; i <= 300; i++) {
            for (BigInteger k : new BigInteger[] {BigInteger.valueOf(i), N.subtract(BigInteger.valueOf(i))}) {
                assertMultiplies(point.multiply(k).normalize(), k, point);
            }
        }
    }

    @Test
    void theGeneratorMultiplierAgreesWithBouncyCastle() {
        Random random = new Random(0x6e6e6eL);
        List<BigInteger> scalars = new ArrayList<>(edgeScalars());
        for (int i = 1; i <= 300; i++) {
            scalars.add(BigInteger.valueOf(i));
            scalars.add(N.subtract(BigInteger.valueOf(i)));
        }
        for (int i = 0; i < RANDOM; i++) {
            scalars.add(randomScalar(random));
        }
        for (BigInteger k : scalars) {
            ECPoint expected = P256Group.GENERATOR.multiply(k).normalize();
            assertEquals(expected, GeneratorMultiplier.multiply(k), "Java, k = " + k.toString(16));
            assertEquals(expected, P256Group.multiplyGenerator(k), "chosen, k = " + k.toString(16));
        }
        assertThrows(IllegalArgumentException.class, () -> P256Group.multiplyGenerator(BigInteger.ZERO));
        assertThrows(IllegalArgumentException.class, () -> P256Group.multiplyGenerator(N));
    }

    /** Both the Java multiplier and the group's chosen one compute k * point. */
    private static void assertMultiplies(ECPoint expected, BigInteger k, ECPoint point) {
        assertEquals(expected, RegularWindowMultiplier.multiply(point, k, N),
                "Java, k = " + k.toString(16) + " P = " + point);
        assertEquals(expected, P256Group.multiply(k, point), "chosen, k = " + k.toString(16) + " P = " + point);
    }

    /**
     * The complete addition where the incomplete one fails: P + P, P + (-P) (the identity), the identity + P, on
     * random points, checked against Bouncy Castle after the projective result is made affine.
     */
    @Test
    void theCompleteMixedAdditionHandlesEqualOppositeAndIdentityOperands() {
        Random random = new Random(99);
        for (int i = 0; i < 200; i++) {
            ECPoint p = P256Group.GENERATOR.multiply(randomScalar(random)).normalize();
            ECPoint q = P256Group.GENERATOR.multiply(randomScalar(random)).normalize();
            long[] px = P256Field.fromBigInteger(p.getAffineXCoord().toBigInteger());
            long[] py = P256Field.fromBigInteger(p.getAffineYCoord().toBigInteger());
            // p + p, p + q, p + (-p), identity + p
            assertEquals(p.twice().normalize(), sum(p, px, py));
            assertEquals(p.add(q).normalize(), sum(q, px, py));
            assertEquals(null, sum(p.negate().normalize(), px, py));
            long[] x = P256Field.create();
            long[] y = P256Field.ONE.clone();
            long[] z = P256Field.create();
            CompleteAddition.addMixed(x, y, z, px, py, scratch());
            assertEquals(p, affine(x, y, z));
        }
    }

    /** (projective a) + (affine px, py), affine, or null for the identity. */
    private static ECPoint sum(ECPoint a, long[] px, long[] py) {
        long[] x = P256Field.fromBigInteger(a.getAffineXCoord().toBigInteger());
        long[] y = P256Field.fromBigInteger(a.getAffineYCoord().toBigInteger());
        long[] z = P256Field.ONE.clone();
        CompleteAddition.addMixed(x, y, z, px, py, scratch());
        return affine(x, y, z);
    }

    private static ECPoint affine(long[] x, long[] y, long[] z) {
        if (P256Field.isZero(z) == 1) {
            assertEquals(1, P256Field.isZero(x));
            return null;
        }
        long[] inverse = P256Field.create();
        P256Field.invert(z, inverse);
        P256Field.multiply(x, inverse, x);
        P256Field.multiply(y, inverse, y);
        return P256Group.CURVE.createPoint(P256Field.toBigInteger(x), P256Field.toBigInteger(y));
    }

    private static long[][] scratch() {
        long[][] t = new long[8][];
        for (int i = 0; i < t.length; i++) {
            t[i] = P256Field.create();
        }
        return t;
    }

    @Test
    void zeroTheOrderAndTheIdentityAreRefused() {
        ECPoint g = P256Group.GENERATOR;
        assertThrows(IllegalArgumentException.class, () -> P256Group.multiply(BigInteger.ZERO, g));
        assertThrows(IllegalArgumentException.class, () -> P256Group.multiply(N, g));
        assertThrows(IllegalArgumentException.class, () -> P256Group.multiply(BigInteger.ONE,
                P256Group.CURVE.getInfinity()));
    }

    private static BigInteger randomScalar(Random random) {
        while (true) {
            BigInteger k = new BigInteger(256, random);
            if (k.signum() > 0 && k.compareTo(N) < 0) {
                return k;
            }
        }
    }
}
