package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The simplified Shallue-van de Woestijne-Ulas map to P-256 (RFC 9380, 6.6.2), straight-line: both candidate
 * x-coordinates and both square roots are computed every time and the result is chosen with masked moves, so
 * whether {@code gx1} is a square (which depends on the password when the password is the input) does not change
 * the sequence of field operations. P-256 has A != 0, so no isogeny is needed; Z = -10 (RFC 9380, 8.2).
 *
 * <p>Constant time: the field operations are Bouncy Castle's word-array ones; their final conditional subtraction
 * of p is a branch Bouncy Castle takes on the data. The output point is built from BigIntegers, which is not
 * constant time.
 */
final class SimplifiedSwuP256 {
    private static final BigInteger P = P256FieldOps.P;
    private static final BigInteger A = P.subtract(BigInteger.valueOf(3));
    private static final BigInteger B = new BigInteger(
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);
    private static final BigInteger Z = P.subtract(BigInteger.TEN);
    private static final int[] A_WORDS = P256FieldOps.fromBigInteger(A);
    private static final int[] B_WORDS = P256FieldOps.fromBigInteger(B);
    private static final int[] Z_WORDS = P256FieldOps.fromBigInteger(Z);
    private static final int[] ONE = P256FieldOps.fromBigInteger(BigInteger.ONE);
    /** -B / A. */
    private static final int[] MINUS_B_OVER_A = P256FieldOps.fromBigInteger(
            B.negate().multiply(A.modInverse(P)).mod(P));
    /** B / (Z * A), the x1 used when the denominator vanishes (exceptional case of step 3). */
    private static final int[] B_OVER_ZA = P256FieldOps.fromBigInteger(
            B.multiply(Z.multiply(A).modInverse(P)).mod(P));
    private static final BigInteger P_MINUS_2 = P.subtract(BigInteger.TWO);
    /** p = 3 mod 4, so sqrt(a) = a^((p+1)/4) when a is a square. */
    private static final BigInteger SQRT_EXPONENT = P.add(BigInteger.ONE).shiftRight(2);

    private SimplifiedSwuP256() {
    }

    /** map_to_curve_simple_swu(u) for a reduced field element u. */
    static ECPoint map(ECCurve curve, int[] u) {
        int[] zu2 = P256FieldOps.multiply(Z_WORDS, P256FieldOps.square(u));
        int[] denominator = P256FieldOps.add(P256FieldOps.square(zu2), zu2); // Z^2 u^4 + Z u^2
        int[] tv1 = P256FieldOps.pow(denominator, P_MINUS_2); // inv0
        int[] x1 = P256FieldOps.multiply(MINUS_B_OVER_A, P256FieldOps.add(ONE, tv1));
        x1 = P256FieldOps.select(P256FieldOps.isZero(denominator), B_OVER_ZA, x1);
        int[] gx1 = curveEquation(x1);
        int[] x2 = P256FieldOps.multiply(zu2, x1);
        int[] gx2 = curveEquation(x2);
        int[] y1 = P256FieldOps.pow(gx1, SQRT_EXPONENT);
        int[] y2 = P256FieldOps.pow(gx2, SQRT_EXPONENT);
        int gx1IsSquare = P256FieldOps.equal(P256FieldOps.square(y1), gx1);
        int[] x = P256FieldOps.select(gx1IsSquare, x1, x2);
        int[] y = P256FieldOps.select(gx1IsSquare, y1, y2);
        int signsDiffer = P256FieldOps.sgn0(u) ^ P256FieldOps.sgn0(y);
        y = P256FieldOps.select(signsDiffer, P256FieldOps.negate(y), y);
        return curve.createPoint(P256FieldOps.toBigInteger(x), P256FieldOps.toBigInteger(y));
    }

    /** x^3 + A x + B. */
    private static int[] curveEquation(int[] x) {
        int[] x2PlusA = P256FieldOps.add(P256FieldOps.square(x), A_WORDS);
        return P256FieldOps.add(P256FieldOps.multiply(x2PlusA, x), B_WORDS);
    }
}
