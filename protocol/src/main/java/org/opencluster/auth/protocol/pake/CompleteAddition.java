package org.opencluster.auth.protocol.pake;

/**
 * The complete mixed addition on P-256 (a = -3) of Renes, Costello and Batina, "Complete addition formulas for
 * prime order elliptic curves" (2016, Algorithm 5), in projective coordinates (X : Y : Z) = (X / Z, Y / Z): one
 * sequence of field operations, right for every projective operand (the identity (0 : 1 : 0), the affine
 * operand itself or its negation included) and every affine operand other than the identity (which has no
 * affine form). Nothing to branch on, hence usable where the operands are secret.
 */
final class CompleteAddition {
    /** b of y^2 = x^3 - 3x + b, Montgomery form. */
    private static final long[] B = P256Field.fromBigInteger(P256Group.CURVE.getB().toBigInteger());
    private static final int SCRATCH = 8;

    private CompleteAddition() {
    }

    /** Eight field elements for {@link #addMixed}. */
    static long[][] scratch() {
        long[][] t = new long[SCRATCH][];
        for (int i = 0; i < SCRATCH; i++) {
            t[i] = P256Field.create();
        }
        return t;
    }

    /**
     * (x : y : z) += (qx, qy): 11 multiplications and 2 by b, for any projective (x : y : z) and an affine point
     * that is not the identity. {@code t} is {@link #scratch}.
     */
    static void addMixed(long[] x, long[] y, long[] z, long[] qx, long[] qy, long[][] t) {
        long[] xx = t[0];
        long[] yy = t[1];
        long[] xy = t[2];
        long[] yz = t[3];
        long[] xz = t[4];
        long[] u = t[5];
        long[] v = t[6];
        long[] w = t[7];
        P256Field.multiply(x, qx, xx);
        P256Field.multiply(y, qy, yy);
        P256Field.add(x, y, u);
        P256Field.add(qx, qy, v);
        P256Field.multiply(u, v, xy);
        P256Field.add(xx, yy, u);
        P256Field.subtract(xy, u, xy); // X1 y2 + Y1 x2
        P256Field.multiply(qy, z, yz);
        P256Field.add(yz, y, yz); // Y1 + y2 Z1
        P256Field.multiply(qx, z, xz);
        P256Field.add(xz, x, xz); // X1 + x2 Z1
        P256Field.multiply(B, z, u);
        P256Field.subtract(xz, u, u);
        P256Field.multiplySmall(u, 3, u); // 3 (xz - b Z1)
        P256Field.subtract(yy, u, v); // yy - 3 (xz - b Z1)
        P256Field.add(yy, u, u); // yy + 3 (xz - b Z1)
        P256Field.multiplySmall(z, 3, w); // 3 Z1
        P256Field.multiply(B, xz, xz);
        P256Field.subtract(xz, w, xz);
        P256Field.subtract(xz, xx, xz);
        P256Field.multiplySmall(xz, 3, xz); // 3 (b xz - 3 Z1 - xx)
        P256Field.multiplySmall(xx, 3, xx);
        P256Field.subtract(xx, w, xx); // 3 xx - 3 Z1
        // X3 = u xy - yz xz; Y3 = u v + xx xz; Z3 = v yz + xy xx
        P256Field.multiply(u, xy, x);
        P256Field.multiply(yz, xz, w);
        P256Field.subtract(x, w, x);
        P256Field.multiply(u, v, y);
        P256Field.multiply(xx, xz, w);
        P256Field.add(y, w, y);
        P256Field.multiply(v, yz, z);
        P256Field.multiply(xy, xx, w);
        P256Field.add(z, w, z);
    }
}
