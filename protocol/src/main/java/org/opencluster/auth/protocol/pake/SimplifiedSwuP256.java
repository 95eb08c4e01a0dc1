package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;

/**
 * The simplified Shallue-van de Woestijne-Ulas map to P-256 (RFC 9380, 6.6.2) in the straight-line form of
 * Appendix F.2 with {@code sqrt_ratio} for q = 3 mod 4 (F.2.1.2): one exponentiation (by (p - 3) / 4, an addition
 * chain of 253 squarings and 12 multiplications) decides whether g(x1) is a square and gives its root, where the
 * textbook form needs an inversion and two square roots. The sequence of field operations never depends on u (the
 * password when hashing one): both candidates are computed and chosen with masked moves, and the one division
 * left, x = x_num / x_den, is Bouncy Castle's constant-time (safegcd) inversion. P-256 has A != 0, so no isogeny
 * is needed; Z = -10 (RFC 9380, 8.2).
 *
 * <p>Not constant time: the final conditional subtraction of p in Bouncy Castle's field routines, and the output
 * point, built from BigIntegers.
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
    /** c2 of F.2.1.2: sqrt(-Z) = sqrt(10), which exists since p = 3 mod 4 and 10 is a square mod p. */
    private static final int[] SQRT_MINUS_Z = P256FieldOps.fromBigInteger(sqrtOfMinusZ());

    private SimplifiedSwuP256() {
    }

    /** map_to_curve_simple_swu(u) for a reduced field element u (F.2, steps 1-25). */
    static ECPoint map(ECCurve curve, int[] u) {
        int[] tv1 = P256FieldOps.multiply(Z_WORDS, P256FieldOps.square(u)); // Z u^2
        int[] tv2 = P256FieldOps.add(P256FieldOps.square(tv1), tv1); // Z^2 u^4 + Z u^2
        int[] tv3 = P256FieldOps.multiply(B_WORDS, P256FieldOps.add(tv2, ONE));
        int[] tv4 = P256FieldOps.multiply(A_WORDS,
                P256FieldOps.select(P256FieldOps.isZero(tv2), Z_WORDS, P256FieldOps.negate(tv2)));
        int[] tv6 = P256FieldOps.square(tv4);
        // g(x1) = gx_num / gx_den with x1 = tv3 / tv4: gx_num = tv3 (tv3^2 + A tv4^2) + B tv4^3, gx_den = tv4^3.
        int[] gxNum = P256FieldOps.multiply(P256FieldOps.add(P256FieldOps.square(tv3),
                P256FieldOps.multiply(A_WORDS, tv6)), tv3);
        tv6 = P256FieldOps.multiply(tv6, tv4);
        gxNum = P256FieldOps.add(gxNum, P256FieldOps.multiply(B_WORDS, tv6));
        int[] x = P256FieldOps.multiply(tv1, tv3); // x2_num = Z u^2 x1_num
        int[] y1 = new int[P256FieldOps.WORDS];
        int isSquare = sqrtRatio(gxNum, tv6, y1);
        int[] y = P256FieldOps.multiply(P256FieldOps.multiply(tv1, u), y1);
        x = P256FieldOps.select(isSquare, tv3, x);
        y = P256FieldOps.select(isSquare, y1, y);
        int signsDiffer = P256FieldOps.sgn0(u) ^ P256FieldOps.sgn0(y);
        y = P256FieldOps.select(signsDiffer, P256FieldOps.negate(y), y);
        int[] denominatorInverse = new int[P256FieldOps.WORDS];
        SecP256R1Field.inv(tv4, denominatorInverse); // tv4 is never 0: A and Z are not, and tv2 != 0 when chosen
        x = P256FieldOps.multiply(x, denominatorInverse);
        return curve.createPoint(P256FieldOps.toBigInteger(x), P256FieldOps.toBigInteger(y));
    }

    /**
     * sqrt_ratio_3mod4(u, v) of F.2.1.2: writes into {@code y} sqrt(u / v) when u / v is a square, else
     * sqrt(Z u / v); returns 1 when u / v is a square, else 0. v is not zero.
     */
    static int sqrtRatio(int[] u, int[] v, int[] y) {
        int[] tv2 = P256FieldOps.multiply(u, v);
        int[] tv1 = P256FieldOps.multiply(P256FieldOps.square(v), tv2); // u v^3
        int[] y1 = P256FieldOps.multiply(powPMinus3Over4(tv1), tv2); // (u v^3)^c1 u v
        int[] y2 = P256FieldOps.multiply(y1, SQRT_MINUS_Z);
        int isSquare = P256FieldOps.equal(P256FieldOps.multiply(P256FieldOps.square(y1), v), u);
        System.arraycopy(P256FieldOps.select(isSquare, y1, y2), 0, y, 0, P256FieldOps.WORDS);
        return isSquare;
    }

    /**
     * a^((p - 3) / 4), (p - 3) / 4 = (2^32 - 1) 2^222 + 2^190 + 2^94 - 1: the runs of ones x_k = a^(2^k - 1) for
     * k = 2, 4, 8, 16, 24, 28, 30, 32, then the exponent from its top, shifting by squarings.
     */
    static int[] powPMinus3Over4(int[] a) {
        int[] tt = new int[2 * P256FieldOps.WORDS];
        int[] x2 = run(a, 1, a, tt);
        int[] x4 = run(x2, 2, x2, tt);
        int[] x8 = run(x4, 4, x4, tt);
        int[] x16 = run(x8, 8, x8, tt);
        int[] x24 = run(x16, 8, x8, tt);
        int[] x28 = run(x24, 4, x4, tt);
        int[] x30 = run(x28, 2, x2, tt);
        int[] x32 = run(x30, 2, x2, tt);
        int[] r = run(x32, 32, a, tt); // (2^32 - 1) 2^32 + 1
        SecP256R1Field.squareN(r, 96, r, tt);
        r = run(r, 32, x32, tt);
        r = run(r, 32, x32, tt);
        r = run(r, 30, x30, tt); // ... 2^190 + 2^94 - 1
        for (int[] t : new int[][] {x2, x4, x8, x16, x24, x28, x30, x32, tt}) {
            java.util.Arrays.fill(t, 0);
        }
        return r;
    }

    /** base^(2^squarings) * factor. */
    private static int[] run(int[] base, int squarings, int[] factor, int[] tt) {
        int[] z = new int[P256FieldOps.WORDS];
        SecP256R1Field.squareN(base, squarings, z, tt);
        SecP256R1Field.multiply(z, factor, z, tt);
        return z;
    }

    private static BigInteger sqrtOfMinusZ() {
        BigInteger root = BigInteger.TEN.modPow(P.add(BigInteger.ONE).shiftRight(2), P);
        if (!root.multiply(root).mod(P).equals(BigInteger.TEN)) {
            throw new IllegalStateException("10 is not a square mod p");
        }
        return root;
    }
}
