package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.raw.Nat;

/**
 * k * P for a secret scalar k and a variable point P, with a regular signed window (width 4, every digit odd and
 * non-zero): always 64 windows, each four doublings and one addition of a table entry read with Bouncy Castle's
 * cache-safe lookup (every entry is read). Bouncy Castle's own multiplier for P-256 is wNAF, whose sequence of
 * additions follows the scalar's bits.
 *
 * <p>The scalar is made odd by adding n when it is even (kP = (k + n)P), with a masked add; the recoding works on
 * words. Not constant time: the conversion of the BigInteger scalar into words, and Bouncy Castle's point
 * addition, which branches on its exceptional cases (equal or opposite operands, infinity), reached only when a
 * partial sum collides with a table entry.
 */
final class RegularWindowMultiplier {
    private static final int WIDTH = 4;
    private static final int TABLE_SIZE = 1 << WIDTH; // odd multiples -15P .. 15P
    /** Words for scalars below 2n < 2^257. */
    private static final int WORDS = 9;
    /** 64 recoding steps leave k' / 2^256 + 1 <= 3 of a k' < 2^257, which is the last (positive, odd) digit. */
    private static final int DIGITS = 65;

    private RegularWindowMultiplier() {
    }

    static ECPoint multiply(ECPoint point, BigInteger k, BigInteger order) {
        ECCurve curve = point.getCurve();
        int[] digits = recode(k, order);
        ECLookupTable table = curve.createCacheSafeLookupTable(oddMultiples(point), 0, TABLE_SIZE);
        ECPoint acc = table.lookup(index(digits[DIGITS - 1]));
        for (int i = DIGITS - 2; i >= 0; i--) {
            acc = acc.timesPow2(WIDTH).add(table.lookup(index(digits[i])));
        }
        java.util.Arrays.fill(digits, 0);
        return acc.normalize();
    }

    /** Table position of an odd digit d in [-15, 15]: -15P is at 0, 15P at 15. */
    private static int index(int digit) {
        return (digit + TABLE_SIZE - 1) >> 1;
    }

    /** -15P, -13P, ..., -P, P, 3P, ..., 15P, all affine (the lookup table needs affine points). */
    private static ECPoint[] oddMultiples(ECPoint p) {
        ECPoint[] table = new ECPoint[TABLE_SIZE];
        int half = TABLE_SIZE / 2;
        ECPoint twice = p.twice();
        table[half] = p;
        for (int i = half + 1; i < TABLE_SIZE; i++) {
            table[i] = table[i - 1].add(twice);
        }
        p.getCurve().normalizeAll(table, half, half, null);
        for (int i = 0; i < half; i++) {
            table[i] = table[TABLE_SIZE - 1 - i].negate();
        }
        return table;
    }

    /**
     * Signed odd digits d_i with k' = sum d_i 16^i, k' = k or k + n (whichever is odd): d_i = (k' mod 32) - 16,
     * k' = (k' - d_i) / 16, and the last digit is what remains (odd, 1..15).
     */
    private static int[] recode(BigInteger k, BigInteger order) {
        int[] value = Nat.fromBigInteger(WORDS * 32, k);
        int[] n = Nat.fromBigInteger(WORDS * 32, order);
        int even = (value[0] & 1) ^ 1;
        int mask = -even;
        long carry = 0;
        for (int i = 0; i < WORDS; i++) {
            carry += (value[i] & 0xffffffffL) + (n[i] & mask & 0xffffffffL);
            value[i] = (int) carry;
            carry >>>= 32;
        }
        int[] digits = new int[DIGITS];
        for (int d = 0; d < DIGITS - 1; d++) {
            int digit = (value[0] & (2 * TABLE_SIZE - 1)) - TABLE_SIZE;
            digits[d] = digit;
            long borrow = -(long) digit; // value - digit, then a right shift by WIDTH
            for (int i = 0; i < WORDS; i++) {
                borrow += value[i] & 0xffffffffL;
                value[i] = (int) borrow;
                borrow >>= 32;
            }
            for (int i = 0; i < WORDS - 1; i++) {
                value[i] = (value[i] >>> WIDTH) | (value[i + 1] << (32 - WIDTH));
            }
            value[WORDS - 1] >>>= WIDTH;
        }
        digits[DIGITS - 1] = value[0];
        Nat.zero(WORDS, value);
        return digits;
    }
}
