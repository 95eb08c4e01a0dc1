package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.math.raw.Nat256;

/**
 * k * P on P-256 for a secret scalar k and a variable affine point P, with a regular signed window (width 4, every
 * digit odd and non-zero): always 64 windows, each four doublings and one mixed addition of a table entry read by
 * scanning the whole table with masked moves, then one constant-time inversion (Bouncy Castle's
 * {@link SecP256R1Field#inv}, a safegcd) to return an affine point. The arithmetic is Jacobian, on eight-word field
 * elements with Bouncy Castle's fixed-length {@link SecP256R1Field} routines, in buffers of this object: no point
 * objects and no allocation per step (Bouncy Castle's generic {@code ECPoint.multiply} is wNAF, whose additions
 * follow the scalar's bits, and allocates a point per operation).
 *
 * <p>No exceptional case depends on the scalar. Every partial sum m (before its last addition) has 1 <= m and
 * 16 m < n/4, so 16 m P is never the table entry it is added to nor its negation; only the last addition can meet
 * its own operand (k' = 16 m + d with 16 m = d mod n: k = n - 2 does), so that one is computed
 * both as an addition and as a doubling and the right one is chosen with a masked move. The opposite case would
 * need k' = 0 mod n, which the recoding never gives. Not constant time: the conversion of the BigInteger scalar
 * and of the point's BigInteger coordinates into words, and the final conditional subtraction of p in Bouncy
 * Castle's field routines.
 */
final class RegularWindowMultiplier {
    private static final int WIDTH = 4;
    /** The positive odd multiples P, 3P, ..., 15P; a digit's sign negates the entry's y. */
    private static final int ENTRIES = 1 << (WIDTH - 1);
    /** Words for scalars below 2n < 2^257. */
    private static final int SCALAR_WORDS = 9;
    /** 64 recoding steps leave k' / 2^256 + 1 <= 3 of a k' < 2^257, which is the last (positive, odd) digit. */
    private static final int DIGITS = 65;

    /** The accumulator, Jacobian (X : Y : Z) = (X / Z^2, Y / Z^3). */
    private final int[] x = Nat256.create();
    private final int[] y = Nat256.create();
    private final int[] z = Nat256.create();
    /** The table, affine: entry i is (2i + 1) P. */
    private final int[][] tableX = new int[ENTRIES][];
    private final int[][] tableY = new int[ENTRIES][];
    /** The entry of the current digit, sign applied. */
    private final int[] qx = Nat256.create();
    private final int[] qy = Nat256.create();
    private final int[] t1 = Nat256.create();
    private final int[] t2 = Nat256.create();
    private final int[] t3 = Nat256.create();
    private final int[] t4 = Nat256.create();
    private final int[] t5 = Nat256.create();
    /** Bouncy Castle's scratch for a double-width product. */
    private final int[] wide = Nat256.createExt();

    private RegularWindowMultiplier() {
        for (int i = 0; i < ENTRIES; i++) {
            tableX[i] = Nat256.create();
            tableY[i] = Nat256.create();
        }
    }

    /** k * point for k in [1, n) and an affine point of order n; affine. */
    static ECPoint multiply(ECPoint point, BigInteger k, BigInteger order) {
        ECPoint affine = point.normalize();
        int[] px = SecP256R1Field.fromBigInteger(affine.getAffineXCoord().toBigInteger());
        int[] py = SecP256R1Field.fromBigInteger(affine.getAffineYCoord().toBigInteger());
        RegularWindowMultiplier m = new RegularWindowMultiplier();
        int[] digits = recode(k, order);
        try {
            m.buildTable(px, py);
            m.run(digits);
            m.toAffine();
            return point.getCurve().createPoint(Nat256.toBigInteger(m.x), Nat256.toBigInteger(m.y));
        } finally {
            java.util.Arrays.fill(digits, 0);
            m.wipe();
        }
    }

    private void run(int[] digits) {
        select(digits[DIGITS - 1]);
        Nat256.copy(qx, x);
        Nat256.copy(qy, y);
        Nat256.zero(z);
        z[0] = 1;
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
    private void buildTable(int[] px, int[] py) {
        Nat256.copy(px, x);
        Nat256.copy(py, y);
        Nat256.zero(z);
        z[0] = 1;
        twice();
        int[] lambda = z.clone();
        Nat256.copy(x, qx); // 2P on the scaled curve, affine
        Nat256.copy(y, qy);
        int[][] zs = new int[ENTRIES][];
        // P on the scaled curve: (L^2 px, L^3 py), Z = 1.
        SecP256R1Field.square(lambda, t1, wide);
        SecP256R1Field.multiply(px, t1, x, wide);
        SecP256R1Field.multiply(t1, lambda, t1, wide);
        SecP256R1Field.multiply(py, t1, y, wide);
        Nat256.zero(z);
        z[0] = 1;
        for (int i = 0; i < ENTRIES; i++) {
            if (i > 0) {
                addEntry(); // (2i + 1) P = (2i - 1) P + 2P
            }
            Nat256.copy(x, tableX[i]);
            Nat256.copy(y, tableY[i]);
            zs[i] = Nat256.create();
            SecP256R1Field.multiply(z, lambda, zs[i], wide);
        }
        // Simultaneous inversion: prefix products, one inversion, then back.
        int[][] prefix = new int[ENTRIES][];
        prefix[0] = zs[0].clone();
        for (int i = 1; i < ENTRIES; i++) {
            prefix[i] = Nat256.create();
            SecP256R1Field.multiply(prefix[i - 1], zs[i], prefix[i], wide);
        }
        int[] inverse = Nat256.create();
        SecP256R1Field.inv(prefix[ENTRIES - 1], inverse);
        for (int i = ENTRIES - 1; i >= 0; i--) {
            int[] zInverse = t5;
            if (i > 0) {
                SecP256R1Field.multiply(inverse, prefix[i - 1], zInverse, wide);
                SecP256R1Field.multiply(inverse, zs[i], inverse, wide);
            } else {
                Nat256.copy(inverse, zInverse);
            }
            SecP256R1Field.square(zInverse, t1, wide);
            SecP256R1Field.multiply(tableX[i], t1, tableX[i], wide);
            SecP256R1Field.multiply(t1, zInverse, t1, wide);
            SecP256R1Field.multiply(tableY[i], t1, tableY[i], wide);
        }
        Nat256.zero(lambda);
        Nat256.zero(inverse);
        for (int i = 0; i < ENTRIES; i++) {
            Nat256.zero(zs[i]);
            Nat256.zero(prefix[i]);
        }
    }

    /** (qx, qy) = the entry of an odd digit d in [-15, 15]: every entry is read, the sign is a masked negation. */
    private void select(int digit) {
        int sign = digit >> 31; // -1 when negative
        int magnitude = (digit ^ sign) - sign;
        int index = magnitude >>> 1; // (|d| - 1) / 2 for odd |d|
        Nat256.zero(qx);
        Nat256.zero(qy);
        for (int i = 0; i < ENTRIES; i++) {
            int hit = (((i ^ index) - 1) >> 31) & 1; // 1 when i == index (both below 2^31)
            Nat.cmov(8, hit, tableX[i], 0, qx, 0);
            Nat.cmov(8, hit, tableY[i], 0, qy, 0);
        }
        SecP256R1Field.negate(qy, t1);
        Nat.cmov(8, sign & 1, t1, 0, qy, 0);
    }

    /** Doubling with a = -3 (dbl-2001-b): 3M + 5S. */
    private void twice() {
        int[] delta = t1;
        int[] gamma = t2;
        int[] beta = t3;
        int[] alpha = t4;
        SecP256R1Field.square(z, delta, wide);
        SecP256R1Field.square(y, gamma, wide);
        SecP256R1Field.multiply(x, gamma, beta, wide);
        SecP256R1Field.subtract(x, delta, t5);
        SecP256R1Field.add(x, delta, alpha);
        SecP256R1Field.multiply(alpha, t5, alpha, wide);
        SecP256R1Field.twice(alpha, t5);
        SecP256R1Field.add(alpha, t5, alpha); // 3 (X - delta)(X + delta)
        // Z3 = (Y + Z)^2 - gamma - delta
        SecP256R1Field.add(y, z, z);
        SecP256R1Field.square(z, z, wide);
        SecP256R1Field.subtract(z, gamma, z);
        SecP256R1Field.subtract(z, delta, z);
        // X3 = alpha^2 - 8 beta
        SecP256R1Field.twice(beta, beta);
        SecP256R1Field.twice(beta, beta); // 4 beta
        SecP256R1Field.square(alpha, x, wide);
        SecP256R1Field.twice(beta, t5);
        SecP256R1Field.subtract(x, t5, x);
        // Y3 = alpha (4 beta - X3) - 8 gamma^2
        SecP256R1Field.subtract(beta, x, beta);
        SecP256R1Field.multiply(alpha, beta, y, wide);
        SecP256R1Field.square(gamma, gamma, wide);
        SecP256R1Field.twice(gamma, gamma);
        SecP256R1Field.twice(gamma, gamma);
        SecP256R1Field.twice(gamma, gamma);
        SecP256R1Field.subtract(y, gamma, y);
    }

    /** (x : y : z) += (qx, qy), mixed addition (madd-2007-bl): 7M + 4S; wrong when the operands are equal. */
    private void addEntry() {
        int[] z1z1 = t1;
        int[] h = t2;
        int[] r = t3;
        int[] i4 = t4;
        int[] v = t5;
        SecP256R1Field.square(z, z1z1, wide);
        SecP256R1Field.multiply(qx, z1z1, h, wide);
        SecP256R1Field.subtract(h, x, h); // H = U2 - X1
        SecP256R1Field.multiply(z, z1z1, r, wide);
        SecP256R1Field.multiply(qy, r, r, wide);
        SecP256R1Field.subtract(r, y, r);
        SecP256R1Field.twice(r, r); // r = 2 (S2 - Y1)
        // Z3 = (Z1 + H)^2 - Z1Z1 - HH
        SecP256R1Field.add(z, h, z);
        SecP256R1Field.square(z, z, wide);
        SecP256R1Field.subtract(z, z1z1, z);
        SecP256R1Field.square(h, i4, wide); // HH
        SecP256R1Field.subtract(z, i4, z);
        SecP256R1Field.twice(i4, i4);
        SecP256R1Field.twice(i4, i4); // I = 4 HH
        SecP256R1Field.multiply(x, i4, v, wide); // V = X1 I
        SecP256R1Field.multiply(h, i4, h, wide); // J = H I
        // X3 = r^2 - J - 2 V
        SecP256R1Field.square(r, x, wide);
        SecP256R1Field.subtract(x, h, x);
        SecP256R1Field.twice(v, i4);
        SecP256R1Field.subtract(x, i4, x);
        // Y3 = r (V - X3) - 2 Y1 J
        SecP256R1Field.multiply(y, h, h, wide);
        SecP256R1Field.twice(h, h);
        SecP256R1Field.subtract(v, x, v);
        SecP256R1Field.multiply(r, v, y, wide);
        SecP256R1Field.subtract(y, h, y);
    }

    /**
     * The last addition, where the accumulator may equal the entry: both the sum and the entry's double are
     * computed, and the double is kept (masked) when H = r = 0.
     */
    private void addLastEntry() {
        // Equal operands: X1 = qx Z1^2 and Y1 = qy Z1^3.
        SecP256R1Field.square(z, t1, wide);
        SecP256R1Field.multiply(qx, t1, t2, wide);
        SecP256R1Field.multiply(t1, z, t1, wide);
        SecP256R1Field.multiply(qy, t1, t1, wide);
        int equal = P256FieldOps.equal(t2, x) & P256FieldOps.equal(t1, y);
        int[] sumX = Nat256.create();
        int[] sumY = Nat256.create();
        int[] sumZ = Nat256.create();
        addEntry();
        Nat256.copy(x, sumX);
        Nat256.copy(y, sumY);
        Nat256.copy(z, sumZ);
        Nat256.copy(qx, x);
        Nat256.copy(qy, y);
        Nat256.zero(z);
        z[0] = 1;
        twice();
        Nat.cmov(8, equal ^ 1, sumX, 0, x, 0);
        Nat.cmov(8, equal ^ 1, sumY, 0, y, 0);
        Nat.cmov(8, equal ^ 1, sumZ, 0, z, 0);
    }

    /** (x, y) = (X / Z^2, Y / Z^3). */
    private void toAffine() {
        SecP256R1Field.inv(z, t1);
        SecP256R1Field.square(t1, t2, wide);
        SecP256R1Field.multiply(x, t2, x, wide);
        SecP256R1Field.multiply(t2, t1, t2, wide);
        SecP256R1Field.multiply(y, t2, y, wide);
    }

    private void wipe() {
        for (int[] a : new int[][] {x, y, z, qx, qy, t1, t2, t3, t4, t5}) {
            Nat256.zero(a);
        }
        Nat.zero(16, wide);
        for (int i = 0; i < ENTRIES; i++) {
            Nat256.zero(tableX[i]);
            Nat256.zero(tableY[i]);
        }
    }

    /**
     * Signed odd digits d_i with k' = sum d_i 16^i, k' = k or k + n (whichever is odd): d_i = (k' mod 32) - 16,
     * k' = (k' - d_i) / 16, and the last digit is what remains (odd, 1..15).
     */
    private static int[] recode(BigInteger k, BigInteger order) {
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
