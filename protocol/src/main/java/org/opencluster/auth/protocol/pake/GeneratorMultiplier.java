package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * k * G on P-256 for a secret scalar k, with a precomputed table instead of doublings: k is recoded into the
 * same 65 odd signed digits as {@link RegularWindowMultiplier} (k' = k or k + n, k' = sum d_i 16^i, d_i odd in
 * [-15, 15]), and k' G = sum d_i (16^i G) is 65 additions of table entries T[i][j] = (2j + 1) 16^i G (affine,
 * 65 x 8 points, about 42 KB, built once per JVM with Bouncy Castle). No doubling at all, where Bouncy Castle's
 * fixed-point comb does 52 doublings and 52 additions.
 *
 * <p>The additions are the complete mixed addition for a = -3 of Renes, Costello and Batina (2016, Algorithm 5,
 * {@link CompleteAddition}) in projective coordinates (X : Y : Z) = (X / Z, Y / Z), correct for every
 * accumulator, the identity (0 : 1 : 0) included, and every affine entry (no entry is the identity: (2j + 1) 16^i
 * is not a multiple of the prime n). So no case depends on the scalar, even where a partial sum equals the entry or its negation.
 *
 * <p>Constant time: 65 additions whatever k; each digit's entry is read by scanning its row with masked moves
 * and negated with a masked move ({@link RegularWindowMultiplier#selectEntry}); the field is branch-free
 * ({@link P256Field}); one constant-time inversion at the end. Not constant time: the BigInteger scalar's
 * conversion and the result's conversion to a Bouncy Castle point.
 */
final class GeneratorMultiplier {
    private static final int POSITIONS = RegularWindowMultiplier.DIGITS;
    private static final int ENTRIES = RegularWindowMultiplier.ENTRIES;

    private GeneratorMultiplier() {
    }

    /** The table, built on first use (only the clients multiply the generator). */
    private static final class Table {
        static final long[][][] X = new long[POSITIONS][ENTRIES][];
        static final long[][][] Y = new long[POSITIONS][ENTRIES][];

        static {
            ECPoint[] points = new ECPoint[POSITIONS * ENTRIES];
            ECPoint base = P256Group.GENERATOR;
            for (int i = 0; i < POSITIONS; i++) {
                ECPoint twice = base.twice();
                ECPoint odd = base;
                for (int j = 0; j < ENTRIES; j++) {
                    points[i * ENTRIES + j] = odd;
                    odd = odd.add(twice);
                }
                base = base.timesPow2(RegularWindowMultiplier.WIDTH);
            }
            P256Group.CURVE.normalizeAll(points);
            for (int i = 0; i < POSITIONS; i++) {
                for (int j = 0; j < ENTRIES; j++) {
                    ECPoint p = points[i * ENTRIES + j];
                    X[i][j] = P256Field.fromBigInteger(p.getAffineXCoord().toBigInteger());
                    Y[i][j] = P256Field.fromBigInteger(p.getAffineYCoord().toBigInteger());
                }
            }
        }
    }

    /** k * G for k in [1, n); affine. */
    static ECPoint multiply(BigInteger k) {
        int[] digits = RegularWindowMultiplier.recode(k, P256Group.ORDER);
        long[] x = P256Field.create();
        long[] y = P256Field.create();
        long[] z = P256Field.create();
        P256Field.copy(P256Field.ONE, y); // the identity (0 : 1 : 0)
        long[] qx = P256Field.create();
        long[] qy = P256Field.create();
        long[][] t = CompleteAddition.scratch();
        try {
            for (int i = 0; i < POSITIONS; i++) {
                RegularWindowMultiplier.selectEntry(Table.X[i], Table.Y[i], digits[i], qx, qy, t[0]);
                CompleteAddition.addMixed(x, y, z, qx, qy, t);
            }
            P256Field.invert(z, t[0]); // z != 0: k G is not the identity for k in [1, n)
            P256Field.multiply(x, t[0], x);
            P256Field.multiply(y, t[0], y);
            return P256Group.CURVE.createPoint(P256Field.toBigInteger(x), P256Field.toBigInteger(y));
        } finally {
            Arrays.fill(digits, 0);
            for (long[] a : new long[][] {x, y, z, qx, qy}) {
                Arrays.fill(a, 0);
            }
            for (long[] a : t) {
                Arrays.fill(a, 0);
            }
        }
    }
}
