package org.opencluster.auth.protocol.pake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** Properties of the OPRF and its group beyond the RFC vectors, and the refusal of invalid elements and scalars. */
class OprfPropertiesTest {
    private static final BigInteger N = P256Group.ORDER;
    private static final BigInteger P = P256FieldOps.P;

    @Provide
    Arbitrary<BigInteger> scalars() {
        // Edges of the recoding: the smallest scalars, one window, the largest (odd and even, where n is added).
        Arbitrary<BigInteger> edges = Arbitraries.of(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(15),
                BigInteger.valueOf(16), N.subtract(BigInteger.ONE), N.subtract(BigInteger.TWO), N.shiftRight(1));
        return Arbitraries.oneOf(edges, Arbitraries.bigIntegers().between(BigInteger.ONE, N.subtract(BigInteger.ONE)));
    }

    @Property(tries = 25)
    void blindEvaluateFinalizeEqualsTheDirectPrf(@ForAll @Size(max = 64) byte[] input, @ForAll long seed)
            throws PakeException {
        SecureRandom random = seeded(seed);
        byte[] keySeed = new byte[32];
        random.nextBytes(keySeed);
        OprfKeyPair key = Oprf.deriveKeyPair(keySeed, new byte[0]);
        BlindedInput blinded = Oprf.blind(input, random);
        ECPoint evaluated = Oprf.blindEvaluate(key.privateKey(), blinded.blindedElement());
        assertArrayEquals(Oprf.evaluate(key.privateKey(), input), Oprf.finalize(input, blinded.blind(), evaluated));
    }

    @Property(tries = 60)
    void theRegularWindowMultiplierAgreesWithBouncyCastle(@ForAll("scalars") BigInteger k,
            @ForAll("scalars") BigInteger base) {
        ECPoint point = P256Group.GENERATOR.multiply(base).normalize();
        assertEquals(point.multiply(k).normalize(), P256Group.multiply(k, point));
        assertEquals(P256Group.GENERATOR.multiply(k).normalize(), P256Group.multiplyGenerator(k));
    }

    /**
     * Every scalar within 40 of 0 or of n, on a random point: the scalars where the multiplier's last addition meets
     * its own operand (k = n - 2: 16 m = d mod n) and where the recoding adds n (even k).
     */
    @Property(tries = 5)
    void theMultiplierIsRightAtBothEndsOfTheScalarRange(@ForAll("scalars") BigInteger base) {
        ECPoint point = P256Group.GENERATOR.multiply(base).normalize();
        for (int i = 1; i <= 40; i++) {
            for (BigInteger k : new BigInteger[] {BigInteger.valueOf(i), N.subtract(BigInteger.valueOf(i))}) {
                assertEquals(point.multiply(k).normalize(), P256Group.multiply(k, point), "k = " + k);
            }
        }
    }

    @Property(tries = 60)
    void aScalarTimesItsInverseIsOne(@ForAll("scalars") BigInteger k) {
        assertEquals(BigInteger.ONE, k.multiply(P256Group.invertScalar(k)).mod(N));
    }

    @Property(tries = 200)
    void theWordReductionModuloPAgreesWithBigInteger(@ForAll @Size(48) byte[] uniform) {
        int[] reduced = P256FieldOps.reduceBigEndian(uniform, 0, uniform.length);
        assertEquals(new BigInteger(1, uniform).mod(P), P256FieldOps.toBigInteger(reduced));
    }

    @Test
    void theLargestHashToFieldInputReduces() {
        byte[] max = new byte[HashToCurveP256.L];
        Arrays.fill(max, (byte) 0xff);
        assertEquals(new BigInteger(1, max).mod(P),
                P256FieldOps.toBigInteger(P256FieldOps.reduceBigEndian(max, 0, max.length)));
    }

    @Property(tries = 100)
    void theMapGivesAPointOnTheCurveWithTheSignOfU(@ForAll @Size(48) byte[] uniform) {
        int[] u = P256FieldOps.reduceBigEndian(uniform, 0, uniform.length);
        ECPoint q = HashToCurveP256.mapToCurve(u).normalize();
        assertTrue(q.isValid());
        assertEquals(u[0] & 1, q.getAffineYCoord().toBigInteger().testBit(0) ? 1 : 0);
    }

    /** The straight-line map of RFC 9380 F.2 against the map of 6.6.2 written out in BigInteger arithmetic. */
    @Property(tries = 100)
    void theStraightLineMapAgreesWithTheDefinition(@ForAll @Size(48) byte[] uniform) {
        int[] u = P256FieldOps.reduceBigEndian(uniform, 0, uniform.length);
        BigInteger uu = P256FieldOps.toBigInteger(u);
        BigInteger a = P.subtract(BigInteger.valueOf(3));
        BigInteger b = P256Group.CURVE.getB().toBigInteger();
        BigInteger z = P.subtract(BigInteger.TEN);
        BigInteger zu2 = z.multiply(uu.pow(2)).mod(P);
        BigInteger tv1 = zu2.pow(2).add(zu2).mod(P);
        BigInteger x1 = tv1.signum() == 0 ? b.multiply(z.multiply(a).modInverse(P)).mod(P)
                : b.negate().multiply(a.modInverse(P)).multiply(BigInteger.ONE.add(tv1.modInverse(P))).mod(P);
        BigInteger x2 = zu2.multiply(x1).mod(P);
        BigInteger gx1 = x1.pow(3).add(a.multiply(x1)).add(b).mod(P);
        BigInteger gx2 = x2.pow(3).add(a.multiply(x2)).add(b).mod(P);
        BigInteger root = P.add(BigInteger.ONE).shiftRight(2);
        boolean gx1IsSquare = gx1.modPow(root, P).pow(2).mod(P).equals(gx1);
        BigInteger x = gx1IsSquare ? x1 : x2;
        BigInteger y = (gx1IsSquare ? gx1 : gx2).modPow(root, P);
        if (uu.testBit(0) != y.testBit(0)) {
            y = P.subtract(y).mod(P);
        }
        assertEquals(P256Group.CURVE.createPoint(x, y), HashToCurveP256.mapToCurve(u).normalize());
    }

    @Property(tries = 50)
    void theAdditionChainRaisesToPMinus3Over4(@ForAll("scalars") BigInteger value) {
        BigInteger a = value.mod(P);
        long[] z = P256Field.create();
        SimplifiedSwuP256.powPMinus3Over4(P256Field.fromBigInteger(a), z);
        assertEquals(a.modPow(P.subtract(BigInteger.valueOf(3)).shiftRight(2), P), P256Field.toBigInteger(z));
    }

    @Test
    void theExceptionalCaseOfTheMapGivesAPointOnTheCurve() {
        // u = 0 makes the SSWU denominator vanish (step 3 of RFC 9380, 6.6.2): x1 = B / (Z * A).
        ECPoint q = HashToCurveP256.mapToCurve(new int[8]).normalize();
        assertTrue(q.isValid());
    }

    @Test
    void blindedElementsOfOneInputDifferPerBlind() throws PakeException {
        byte[] input = "sunshine1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SecureRandom random = seeded(7);
        assertNotEquals(Oprf.blind(input, random).blindedElement(), Oprf.blind(input, random).blindedElement());
    }

    @Test
    void invalidElementsAreRefused() {
        byte[] valid = P256Group.serializeElement(P256Group.GENERATOR);
        byte[] wrongPrefix = valid.clone();
        wrongPrefix[0] = 0x04;
        byte[] identity = new byte[33];
        byte[] xIsP = new byte[33];
        xIsP[0] = 0x02;
        System.arraycopy(toFixed(P), 0, xIsP, 1, 32);
        byte[][] invalid = {null, new byte[0], new byte[] {0x00}, Arrays.copyOf(valid, 32), Arrays.copyOf(valid, 34),
            P256Group.GENERATOR.getEncoded(false), wrongPrefix, identity, xIsP, notOnCurve()};
        for (byte[] encoded : invalid) {
            PakeException e = assertThrows(PakeException.class, () -> P256Group.deserializeElement(encoded),
                    () -> "accepted " + (encoded == null ? "null" : java.util.HexFormat.of().formatHex(encoded)));
            assertEquals(PakeError.INVALID_ELEMENT, e.error());
        }
    }

    @Test
    void theServerRefusesAnInvalidBlindedElement() {
        byte[] notAPoint = notOnCurve();
        // The request is validated where it is read, so the server never holds one with an invalid element.
        PakeException e = assertThrows(PakeException.class, () -> CredentialRequest.deserialize(notAPoint));
        assertEquals(PakeError.INVALID_ELEMENT, e.error());
    }

    @Test
    void scalarsOutsideOneToNAreRefused() {
        byte[][] invalid = {null, new byte[31], new byte[33], new byte[32], toFixed(N), fill(0xff)};
        for (byte[] encoded : invalid) {
            PakeException e = assertThrows(PakeException.class, () -> P256Group.deserializeScalar(encoded));
            assertEquals(PakeError.INVALID_SCALAR, e.error());
        }
    }

    @Test
    void anInputLongerThanTwoLengthBytesIsRefused() {
        PakeException e = assertThrows(PakeException.class, () -> Oprf.blind(new byte[65536], seeded(3)));
        assertEquals(PakeError.INVALID_INPUT, e.error());
    }

    /** A compressed encoding whose x has no y on P-256. */
    static byte[] notOnCurve() {
        for (int x = 1; ; x++) {
            byte[] encoded = new byte[33];
            encoded[0] = 0x02;
            encoded[32] = (byte) x;
            try {
                P256Group.deserializeElement(encoded);
            } catch (PakeException e) {
                return encoded;
            }
        }
    }

    private static byte[] toFixed(BigInteger v) {
        byte[] raw = v.toByteArray();
        return Arrays.copyOfRange(raw, raw.length - 32, raw.length);
    }

    private static byte[] fill(int b) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) b);
        return out;
    }

    /** A deterministic SecureRandom, so a failing property replays. */
    static SecureRandom seeded(long seed) {
        Random r = new Random(seed);
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                r.nextBytes(bytes);
            }
        };
    }
}
