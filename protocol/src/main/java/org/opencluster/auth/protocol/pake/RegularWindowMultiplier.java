package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.raw.Nat;

/**
 * k * P on P-256 for a secret scalar k and a variable affine point P, with a regular signed window (width 4, every
 * digit odd and non-zero): always 64 windows, each four doublings and one mixed addition of a table entry read by
 * scanning the whole table with masked moves, then one inversion (Fermat, a fixed addition chain) to return an
 * affine point. The arithmetic is Jacobian, on {@link P256Field}'s Montgomery-form 64-bit limbs (about three times
 * fewer word products than Bouncy Castle's eight 32-bit words), in buffers of this object: no point objects and no
 * allocation per step (Bouncy Castle's generic {@code ECPoint.multiply} is wNAF, whose additions follow the
 * scalar's bits, and allocates a point per operation).
 *
 * <p>Constant time: the digits are computed with masks and carries from the scalar's words; the sequence of field
 * operations (64 x (4 doublings + 1 addition), the table, one inversion) never depends on them; each digit's
 * entry is found by reading all eight entries with masked moves and its sign applied by a masked negation; the
 * field routines are branch-free (see {@link P256Field}). Not constant time: the conversion of the BigInteger
 * scalar and of the point's BigInteger coordinates into words, and of the result back (Bouncy Castle's points).
 *
 * <p>No exceptional case depends on the scalar. Every partial sum m (before its last addition) has 1 <= m and
 * 16 m < n/4, so 16 m P is never the table entry it is added to nor its negation; only the last addition can meet
 * its own operand (k' = 16 m + d with 16 m = d mod n: k = n - 2 does), so that one is computed
 * both as an addition and as a doubling and the right one is chosen with a masked move. The opposite case would
 * need k' = 0 mod n, which the recoding never gives.
 */
final class RegularWindowMultiplier {
    static final int WIDTH = 4;
    /** The positive odd multiples P, 3P, ..., 15P; a digit's sign negates the entry's y. */
    static final int ENTRIES = 1 << (WIDTH - 1);
    /** Words for scalars below 2n < 2^257. */
    private static final int SCALAR_WORDS = 9;
    /** 64 recoding steps leave k' / 2^256 + 1 <= 3 of a k' < 2^257, which is the last (positive, odd) digit. */
    static final int DIGITS = 65;

    /** The accumulator, Jacobian (X : Y : Z) = (X / Z^2, Y / Z^3). */
    private final long[] x = P256Field.create();
    private final long[] y = P256Field.create();
    private final long[] z = P256Field.create();
    /** The table, affine: entry i is (2i + 1) P. */
    private final long[][] tableX = new long[ENTRIES][];
    private final long[][] tableY = new long[ENTRIES][];
    /** The entry of the current digit, sign applied. */
    private final long[] qx = P256Field.create();
    private final long[] qy = P256Field.create();
    private final long[] t1 = P256Field.create();
    private final long[] t2 = P256Field.create();
    private final long[] t3 = P256Field.create();
    private final long[] t4 = P256Field.create();
    private final long[] t5 = P256Field.create();

    private RegularWindowMultiplier() {
        for (int i = 0; i < ENTRIES; i++) {
            tableX[i] = P256Field.create();
            tableY[i] = P256Field.create();
        }
    }

    /** k * point for k in [1, n) and an affine point of order n; affine. */
    static ECPoint multiply(ECPoint point, BigInteger k, BigInteger order) {
        ECPoint affine = point.normalize();
        long[] px = P256Field.fromBigInteger(affine.getAffineXCoord().toBigInteger());
        long[] py = P256Field.fromBigInteger(affine.getAffineYCoord().toBigInteger());
        RegularWindowMultiplier m = new RegularWindowMultiplier();
        int[] digits = recode(k, order);
        try {
            m.buildTable(px, py);
            m.run(digits);
            m.toAffine();
            return point.getCurve().createPoint(P256Field.toBigInteger(m.x), P256Field.toBigInteger(m.y));
        } finally {
            java.util.Arrays.fill(digits, 0);
            m.wipe();
        }
    }

    private void run(int[] digits) {
        select(digits[DIGITS - 1]);
        P256Field.copy(qx, x);
        P256Field.copy(qy, y);
        P256Field.copy(P256Field.ONE, z);
        for (int i = DIGITS - 2; i >= 0; i--) {
            for (int j = 0; j < WIDTH; j++) {
                twice();
            }
            select(digits[i]);
            if (i > 0) {
                addEntry();
            } else {
                addLastEntry();
            }
        }
    }

    /**
     * The table (2i + 1) P, i = 0..7, affine. 2P is computed in Jacobian coordinates (X2 : Y2 : L); on the
     * isomorphic curve where every x is scaled by L^2 and every y by L^3, 2P is affine, so the odd multiples come
     * from mixed additions there (which do not involve the curve's a), and a Jacobian point (X : Y : Z) there is
     * (X : Y : Z L) here. One inversion for all eight (Montgomery's simultaneous inversion) gives them affine.
     */
    private void buildTable(long[] px, long[] py) {
        P256Field.copy(px, x);
        P256Field.copy(py, y);
        P256Field.copy(P256Field.ONE, z);
        twice();
        long[] lambda = z.clone();
        P256Field.copy(x, qx); // 2P on the scaled curve, affine
        P256Field.copy(y, qy);
        long[][] zs = new long[ENTRIES][];
        // P on the scaled curve: (L^2 px, L^3 py), Z = 1.
        P256Field.square(lambda, t1);
        P256Field.multiply(px, t1, x);
        P256Field.multiply(t1, lambda, t1);
        P256Field.multiply(py, t1, y);
        P256Field.copy(P256Field.ONE, z);
        for (int i = 0; i < ENTRIES; i++) {
            if (i > 0) {
                addEntry(); // (2i + 1) P = (2i - 1) P + 2P
            }
            P256Field.copy(x, tableX[i]);
            P256Field.copy(y, tableY[i]);
            zs[i] = P256Field.create();
            P256Field.multiply(z, lambda, zs[i]);
        }
        // Simultaneous inversion: prefix products, one inversion, then back.
        long[][] prefix = new long[ENTRIES][];
        prefix[0] = zs[0].clone();
        for (int i = 1; i < ENTRIES; i++) {
            prefix[i] = P256Field.create();
            P256Field.multiply(prefix[i - 1], zs[i], prefix[i]);
        }
        long[] inverse = P256Field.create();
        P256Field.invert(prefix[ENTRIES - 1], inverse);
        for (int i = ENTRIES - 1; i >= 0; i--) {
            long[] zInverse = t5;
            if (i > 0) {
                P256Field.multiply(inverse, prefix[i - 1], zInverse);
                P256Field.multiply(inverse, zs[i], inverse);
            } else {
                P256Field.copy(inverse, zInverse);
            }
            P256Field.square(zInverse, t1);
            P256Field.multiply(tableX[i], t1, tableX[i]);
            P256Field.multiply(t1, zInverse, t1);
            P256Field.multiply(tableY[i], t1, tableY[i]);
        }
        zero(lambda);
        zero(inverse);
        for (int i = 0; i < ENTRIES; i++) {
            zero(zs[i]);
            zero(prefix[i]);
        }
    }

    private void select(int digit) {
        selectEntry(tableX, tableY, digit, qx, qy, t1);
    }

    /**
     * (qx, qy) = the entry of an odd digit d in [-15, 15] from a table of the odd multiples 1, 3, ..., 15 of a
     * point: every entry is read with a masked move, the sign is a masked negation ({@code scratch} takes -qy).
     */
    static void selectEntry(long[][] xs, long[][] ys, int digit, long[] qx, long[] qy, long[] scratch) {
        int sign = digit >> 31; // -1 when negative
        int magnitude = (digit ^ sign) - sign;
        int index = magnitude >>> 1; // (|d| - 1) / 2 for odd |d|
        zero(qx);
        zero(qy);
        for (int i = 0; i < ENTRIES; i++) {
            int hit = (((i ^ index) - 1) >> 31) & 1; // 1 when i == index (both below 2^31)
            P256Field.conditionalMove(hit, xs[i], qx);
            P256Field.conditionalMove(hit, ys[i], qy);
        }
        P256Field.negate(qy, scratch);
        P256Field.conditionalMove(sign & 1, scratch, qy);
    }

    /** Doubling with a = -3 (dbl-2001-b): 3M + 5S. */
    private void twice() {
        long[] delta = t1;
        long[] gamma = t2;
        long[] beta = t3;
        long[] alpha = t4;
        P256Field.square(z, delta);
        P256Field.square(y, gamma);
        P256Field.multiply(x, gamma, beta);
        P256Field.subtract(x, delta, t5);
        P256Field.add(x, delta, alpha);
        P256Field.multiply(alpha, t5, alpha);
        P256Field.multiplySmall(alpha, 3, alpha); // 3 (X - delta)(X + delta)
        // Z3 = (Y + Z)^2 - gamma - delta
        P256Field.add(y, z, z);
        P256Field.square(z, z);
        P256Field.subtract(z, gamma, z);
        P256Field.subtract(z, delta, z);
        // X3 = alpha^2 - 8 beta
        P256Field.multiplySmall(beta, 4, beta); // 4 beta
        P256Field.square(alpha, x);
        P256Field.twice(beta, t5);
        P256Field.subtract(x, t5, x);
        // Y3 = alpha (4 beta - X3) - 8 gamma^2
        P256Field.subtract(beta, x, beta);
        P256Field.multiply(alpha, beta, y);
        P256Field.square(gamma, gamma);
        P256Field.multiplySmall(gamma, 8, gamma);
        P256Field.subtract(y, gamma, y);
    }

    /** (x : y : z) += (qx, qy), mixed addition (madd-2007-bl): 7M + 4S; wrong when the operands are equal. */
    private void addEntry() {
        long[] z1z1 = t1;
        long[] h = t2;
        long[] r = t3;
        long[] i4 = t4;
        long[] v = t5;
        P256Field.square(z, z1z1);
        P256Field.multiply(qx, z1z1, h);
        P256Field.subtract(h, x, h); // H = U2 - X1
        P256Field.multiply(z, z1z1, r);
        P256Field.multiply(qy, r, r);
        P256Field.subtract(r, y, r);
        P256Field.twice(r, r); // r = 2 (S2 - Y1)
        // Z3 = (Z1 + H)^2 - Z1Z1 - HH
        P256Field.add(z, h, z);
        P256Field.square(z, z);
        P256Field.subtract(z, z1z1, z);
        P256Field.square(h, i4); // HH
        P256Field.subtract(z, i4, z);
        P256Field.multiplySmall(i4, 4, i4); // I = 4 HH
        P256Field.multiply(x, i4, v); // V = X1 I
        P256Field.multiply(h, i4, h); // J = H I
        // X3 = r^2 - J - 2 V
        P256Field.square(r, x);
        P256Field.subtract(x, h, x);
        P256Field.twice(v, i4);
        P256Field.subtract(x, i4, x);
        // Y3 = r (V - X3) - 2 Y1 J
        P256Field.multiply(y, h, h);
        P256Field.twice(h, h);
        P256Field.subtract(v, x, v);
        P256Field.multiply(r, v, y);
        P256Field.subtract(y, h, y);
    }

    /**
     * The last addition, where the accumulator may equal the entry: both the sum and the entry's double are
     * computed, and the double is kept (masked) when H = r = 0.
     */
    private void addLastEntry() {
        // Equal operands: X1 = qx Z1^2 and Y1 = qy Z1^3.
        P256Field.square(z, t1);
        P256Field.multiply(qx, t1, t2);
        P256Field.multiply(t1, z, t1);
        P256Field.multiply(qy, t1, t1);
        int equal = P256Field.equal(t2, x) & P256Field.equal(t1, y);
        long[] sumX = P256Field.create();
        long[] sumY = P256Field.create();
        long[] sumZ = P256Field.create();
        addEntry();
        P256Field.copy(x, sumX);
        P256Field.copy(y, sumY);
        P256Field.copy(z, sumZ);
        P256Field.copy(qx, x);
        P256Field.copy(qy, y);
        P256Field.copy(P256Field.ONE, z);
        twice();
        P256Field.conditionalMove(equal ^ 1, sumX, x);
        P256Field.conditionalMove(equal ^ 1, sumY, y);
        P256Field.conditionalMove(equal ^ 1, sumZ, z);
    }

    /** (x, y) = (X / Z^2, Y / Z^3). */
    private void toAffine() {
        P256Field.invert(z, t1);
        P256Field.square(t1, t2);
        P256Field.multiply(x, t2, x);
        P256Field.multiply(t2, t1, t2);
        P256Field.multiply(y, t2, y);
    }

    private void wipe() {
        for (long[] a : new long[][] {x, y, z, qx, qy, t1, t2, t3, t4, t5}) {
            zero(a);
        }
        for (int i = 0; i < ENTRIES; i++) {
            zero(tableX[i]);
            zero(tableY[i]);
        }
    }

    private static void zero(long[] a) {
        java.util.Arrays.fill(a, 0);
    }

    /**
     * Signed odd digits d_i with k' = sum d_i 16^i, k' = k or k + n (whichever is odd): d_i = (k' mod 32) - 16,
     * k' = (k' - d_i) / 16, and the last digit is what remains (odd, 1..15).
     */
    static int[] recode(BigInteger k, BigInteger order) {
        int[] value = Nat.fromBigInteger(SCALAR_WORDS * 32, k);
        int[] n = Nat.fromBigInteger(SCALAR_WORDS * 32, order);
        int even = (value[0] & 1) ^ 1;
        int mask = -even;
        long carry = 0;
        for (int i = 0; i < SCALAR_WORDS; i++) {
            carry += (value[i] & 0xffffffffL) + (n[i] & mask & 0xffffffffL);
            value[i] = (int) carry;
            carry >>>= 32;
        }
        int[] digits = new int[DIGITS];
        for (int d = 0; d < DIGITS - 1; d++) {
            int digit = (value[0] & (4 * ENTRIES - 1)) - 2 * ENTRIES;
            digits[d] = digit;
            long borrow = -(long) digit; // value - digit, then a right shift by WIDTH
            for (int i = 0; i < SCALAR_WORDS; i++) {
                borrow += value[i] & 0xffffffffL;
                value[i] = (int) borrow;
                borrow >>= 32;
            }
            for (int i = 0; i < SCALAR_WORDS - 1; i++) {
                value[i] = (value[i] >>> WIDTH) | (value[i + 1] << (32 - WIDTH));
            }
            value[SCALAR_WORDS - 1] >>>= WIDTH;
        }
        digits[DIGITS - 1] = value[0];
        Nat.zero(SCALAR_WORDS, value);
        return digits;
    }
}
