package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The simplified Shallue-van de Woestijne-Ulas map to P-256 (RFC 9380, 6.6.2) in the straight-line form of
 * Appendix F.2 with {@code sqrt_ratio} for q = 3 mod 4 (F.2.1.2): one exponentiation (by (p - 3) / 4, an addition
 * chain of 253 squarings and 12 multiplications) decides whether g(x1) is a square and gives its root, where the
 * textbook form needs an inversion and two square roots. The sequence of field operations never depends on u (the
 * password when hashing one): both candidates are computed and chosen with masked moves, and the one division
 * left, x = x_num / x_den, is a constant-time inversion. P-256 has A != 0, so no isogeny is needed; Z = -10
 * (RFC 9380, 8.2). The arithmetic is {@link P256Field}'s (Montgomery form, branch-free).
 *
 * <p>Not constant time: only {@link #map(ECCurve, int[])}'s output point, built from BigIntegers (the vectors'
 * Q0 and Q1); {@link HashToCurveP256#hashToCurve} uses {@link #map(long[], long[], long[])}.
 */
final class SimplifiedSwuP256 {
    private static final BigInteger P = P256Field.P;
    private static final long[] A = P256Field.fromBigInteger(P.subtract(BigInteger.valueOf(3)));
    private static final long[] B = P256Field.fromBigInteger(new BigInteger(
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16));
    private static final long[] Z = P256Field.fromBigInteger(P.subtract(BigInteger.TEN));
    /** c2 of F.2.1.2: sqrt(-Z) = sqrt(10), which exists since p = 3 mod 4 and 10 is a square mod p. */
    private static final long[] SQRT_MINUS_Z = P256Field.fromBigInteger(sqrtOfMinusZ());

    private SimplifiedSwuP256() {
    }

    /** map_to_curve_simple_swu(u) for a reduced field element u as eight words (the vectors' Q0 and Q1). */
    static ECPoint map(ECCurve curve, int[] u) {
        long[] x = P256Field.create();
        long[] y = P256Field.create();
        map(P256Field.fromWordsToMontgomery(u), x, y);
        return curve.createPoint(P256Field.toBigInteger(x), P256Field.toBigInteger(y));
    }

    /** map_to_curve_simple_swu(u) (F.2, steps 1-25), u, x and y in Montgomery form; (x, y) affine. */
    static void map(long[] u, long[] x, long[] y) {
        long[] tv1 = P256Field.create();
        long[] tv2 = P256Field.create();
        long[] tv3 = P256Field.create();
        long[] tv4 = P256Field.create();
        long[] tv6 = P256Field.create();
        long[] t = P256Field.create();
        P256Field.square(u, tv1);
        P256Field.multiply(Z, tv1, tv1); // Z u^2
        P256Field.square(tv1, tv2);
        P256Field.add(tv2, tv1, tv2); // Z^2 u^4 + Z u^2
        P256Field.add(tv2, P256Field.ONE, tv3);
        P256Field.multiply(B, tv3, tv3);
        P256Field.negate(tv2, tv4);
        P256Field.conditionalMove(P256Field.isZero(tv2), Z, tv4);
        P256Field.multiply(A, tv4, tv4);
        P256Field.square(tv4, tv6);
        // g(x1) = gx_num / gx_den with x1 = tv3 / tv4: gx_num = tv3 (tv3^2 + A tv4^2) + B tv4^3, gx_den = tv4^3.
        long[] gxNum = P256Field.create();
        P256Field.square(tv3, gxNum);
        P256Field.multiply(A, tv6, t);
        P256Field.add(gxNum, t, gxNum);
        P256Field.multiply(gxNum, tv3, gxNum);
        P256Field.multiply(tv6, tv4, tv6);
        P256Field.multiply(B, tv6, t);
        P256Field.add(gxNum, t, gxNum);
        P256Field.multiply(tv1, tv3, x); // x2_num = Z u^2 x1_num
        long[] y1 = P256Field.create();
        int isSquare = sqrtRatio(gxNum, tv6, y1);
        P256Field.multiply(tv1, u, y);
        P256Field.multiply(y, y1, y);
        P256Field.conditionalMove(isSquare, tv3, x);
        P256Field.conditionalMove(isSquare, y1, y);
        P256Field.negate(y, t);
        P256Field.conditionalMove(P256Field.parity(u) ^ P256Field.parity(y), t, y);
        P256Field.invert(tv4, t); // tv4 is never 0: A and Z are not, and tv2 != 0 when chosen
        P256Field.multiply(x, t, x);
        for (long[] a : new long[][] {tv1, tv2, tv3, tv4, tv6, t, gxNum, y1}) {
            java.util.Arrays.fill(a, 0);
        }
    }

    /**
     * sqrt_ratio_3mod4(u, v) of F.2.1.2: writes into {@code y} sqrt(u / v) when u / v is a square, else
     * sqrt(Z u / v); returns 1 when u / v is a square, else 0. v is not zero.
     */
    static int sqrtRatio(long[] u, long[] v, long[] y) {
        long[] tv1 = P256Field.create();
        long[] tv2 = P256Field.create();
        long[] y1 = P256Field.create();
        P256Field.multiply(u, v, tv2);
        P256Field.square(v, tv1);
        P256Field.multiply(tv1, tv2, tv1); // u v^3
        powPMinus3Over4(tv1, y1);
        P256Field.multiply(y1, tv2, y1); // (u v^3)^c1 u v
        P256Field.multiply(y1, SQRT_MINUS_Z, y);
        P256Field.square(y1, tv1);
        P256Field.multiply(tv1, v, tv1);
        int isSquare = P256Field.equal(tv1, u);
        P256Field.conditionalMove(isSquare, y1, y);
        java.util.Arrays.fill(tv1, 0);
        java.util.Arrays.fill(tv2, 0);
        java.util.Arrays.fill(y1, 0);
        return isSquare;
    }

    /**
     * z = a^((p - 3) / 4), (p - 3) / 4 = (2^32 - 1) 2^222 + 2^190 + 2^94 - 1: from the runs of ones
     * x_k = a^(2^k - 1) of {@link P256Field#runs}, the exponent from its top, shifting by squarings.
     */
    static void powPMinus3Over4(long[] a, long[] z) {
        long[][] x = P256Field.runs(a);
        long[] x30 = x[5];
        long[] x32 = x[6];
        long[] r = P256Field.create();
        P256Field.squareN(x32, 32, r);
        P256Field.multiply(r, a, r); // (2^32 - 1) 2^32 + 1
        P256Field.squareN(r, 96 + 32, r);
        P256Field.multiply(r, x32, r);
        P256Field.squareN(r, 32, r);
        P256Field.multiply(r, x32, r);
        P256Field.squareN(r, 30, r);
        P256Field.multiply(r, x30, r); // ... 2^190 + 2^94 - 1
        P256Field.copy(r, z);
        for (long[] t : x) {
            java.util.Arrays.fill(t, 0);
        }
        java.util.Arrays.fill(r, 0);
    }

    private static BigInteger sqrtOfMinusZ() {
        BigInteger root = BigInteger.TEN.modPow(P.add(BigInteger.ONE).shiftRight(2), P);
        if (!root.multiply(root).mod(P).equals(BigInteger.TEN)) {
            throw new IllegalStateException("10 is not a square mod p");
        }
        return root;
    }
}
