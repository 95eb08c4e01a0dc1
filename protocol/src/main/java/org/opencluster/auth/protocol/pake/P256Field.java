package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;

/**
 * Arithmetic modulo the P-256 prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1 in Montgomery form (a is held as
 * a R mod p, R = 2^260) on five little-endian 52-bit limbs in longs, always fully reduced to [0, p).
 *
 * <p>Why 52-bit limbs: a product of two limbs is below 2^104 and splits into a low 52 bits ({@code a * b & MASK})
 * and a high part ({@link Math#multiplyHigh}, an intrinsic, shifted by 12) without any carry detection, and a
 * column of the product sums at most a few dozen such parts, far below 2^63; carries are propagated once per
 * column with a shift. Bouncy Castle's {@code SecP256R1Field} needs 64 32-bit word products per multiplication;
 * here 25 (15 for a square), and the reduction needs none. Java 17 has no unsigned high
 * product, and none is needed: every operand is non-negative and below 2^53.
 *
 * <p>Multiplication is Montgomery's, operand scanning: the schoolbook product into ten columns, then five
 * reduction steps, each adding m p 2^(52 i) with m the low 52 bits of column i (-p^-1 = 1 mod 2^52 because
 * p = -1 mod 2^52), which clears that column. p's limbs are 2^52 - 1, 2^44 - 1, 0, 2^36 and 2^48 - 2^16, so m p
 * needs no multiplication: m (2^52 - 1) + m (2^44 - 1) 2^52 = -m + m 2^96, m 2^36 at limb 3, m (2^48 - 2^16) at
 * limb 4, each shifted into its two columns (columns may go negative there; carries are arithmetic shifts and
 * the total stays exact). The result is below 2p and one masked subtraction of p reduces it. The multiplication
 * and squaring bodies are unrolled (generated, three lines per limb product, five per reduction step).
 *
 * <p>Constant time: every routine runs the same instructions whatever the values: no branch and no index depends
 * on them (carries are arithmetic shifts, choices are masks from a sign); only the public exponent of
 * {@link #sqrt} shapes its sequence, and {@link #invert} is Bouncy Castle's constant-time safegcd. The BigInteger conversions are not constant time and
 * are for the boundary with Bouncy Castle's points and for tests.
 */
final class P256Field {
    static final BigInteger P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    static final int LIMBS = 5;
    static final int LIMB_BITS = 52;
    private static final long MASK = (1L << LIMB_BITS) - 1;
    /** p in 52-bit limbs; its limb 2 is zero. */
    private static final long P0 = 0xFFFFFFFFFFFFFL;
    private static final long P1 = 0x0FFFFFFFFFFFL;
    private static final long P3 = 0x1000000000L;
    private static final long P4 = 0xFFFFFFFF0000L;
    /** R^2 mod p: multiplying by it brings a plain value into Montgomery form. */
    private static final long[] R2 = limbs(BigInteger.ONE.shiftLeft(2 * LIMBS * LIMB_BITS).mod(P));
    /** R^3 mod p: turns the plain inverse of a Montgomery form into the Montgomery form of the inverse. */
    private static final long[] R3 = limbs(BigInteger.ONE.shiftLeft(3 * LIMBS * LIMB_BITS).mod(P));
    /** 1 in Montgomery form (R mod p). */
    static final long[] ONE = limbs(BigInteger.ONE.shiftLeft(LIMBS * LIMB_BITS).mod(P));
    /** Plain 1: a Montgomery multiplication by it leaves the plain value. */
    private static final long[] PLAIN_ONE = {1, 0, 0, 0, 0};

    private P256Field() {
    }

    static long[] create() {
        return new long[LIMBS];
    }

    /** The Montgomery form of v in [0, p) (not constant time: BigInteger). */
    static long[] fromBigInteger(BigInteger v) {
        if (v.signum() < 0 || v.compareTo(P) >= 0) {
            throw new IllegalArgumentException("not a reduced field element");
        }
        long[] z = limbs(v);
        multiply(z, R2, z);
        return z;
    }

    /** The Montgomery form of a reduced value given as eight little-endian 32-bit words (no BigInteger). */
    static long[] fromWordsToMontgomery(int[] w) {
        long[] z = create();
        fromWords(w, z);
        multiply(z, R2, z);
        return z;
    }

    /** The plain value of a Montgomery-form element (not constant time: BigInteger). */
    static BigInteger toBigInteger(long[] a) {
        long[] plain = create();
        multiply(a, PLAIN_ONE, plain);
        BigInteger v = BigInteger.ZERO;
        for (int i = LIMBS - 1; i >= 0; i--) {
            v = v.shiftLeft(LIMB_BITS).or(BigInteger.valueOf(plain[i]));
        }
        return v;
    }

    /** z = a + b mod p. z may alias a or b. */
    static void add(long[] a, long[] b, long[] z) {
        long s0 = a[0] + b[0];
        long s1 = a[1] + b[1] + (s0 >>> 52);
        long s2 = a[2] + b[2] + (s1 >>> 52);
        long s3 = a[3] + b[3] + (s2 >>> 52);
        long s4 = a[4] + b[4] + (s3 >>> 52);
        reduceOnce(s0 & MASK, s1 & MASK, s2 & MASK, s3 & MASK, s4, z);
    }

    /** z = a - b mod p: the difference, plus p when it is negative (masked). z may alias a or b. */
    static void subtract(long[] a, long[] b, long[] z) {
        long d0 = a[0] - b[0];
        long d1 = a[1] - b[1] + (d0 >> 52);
        long d2 = a[2] - b[2] + (d1 >> 52);
        long d3 = a[3] - b[3] + (d2 >> 52);
        long d4 = a[4] - b[4] + (d3 >> 52);
        long negative = d4 >> 63;
        long e0 = (d0 & MASK) + (P0 & negative);
        long e1 = (d1 & MASK) + (P1 & negative) + (e0 >> 52);
        long e2 = (d2 & MASK) + (e1 >> 52);
        long e3 = (d3 & MASK) + (P3 & negative) + (e2 >> 52);
        long e4 = d4 + (P4 & negative) + (e3 >> 52);
        z[0] = e0 & MASK;
        z[1] = e1 & MASK;
        z[2] = e2 & MASK;
        z[3] = e3 & MASK;
        z[4] = e4;
    }

    /** z = -a mod p (0 stays 0). */
    static void negate(long[] a, long[] z) {
        subtract(new long[LIMBS], a, z);
    }

    /** z = 2a mod p. */
    static void twice(long[] a, long[] z) {
        add(a, a, z);
    }

    /**
     * z = k a mod p for a small public k in [1, 8], in one pass where repeated doublings would take up to three
     * reductions: the limbs times k (below 8p < 2^259), then q = floor(v / 2^256) <= 7 subtracted as q p, which
     * for p = 2^256 - (2^224 - 2^192 - 2^96 + 1) is clearing the bits above 2^256 and adding
     * q (2^224 - 2^192 - 2^96 + 1) at fixed limb positions; what is left is below 2^256 + 2^227 < 2p, and one
     * masked subtraction of p reduces it. z may alias a.
     */
    static void multiplySmall(long[] a, int k, long[] z) {
        long s0 = a[0] * k;
        long s1 = a[1] * k + (s0 >>> 52);
        long s2 = a[2] * k + (s1 >>> 52);
        long s3 = a[3] * k + (s2 >>> 52);
        long s4 = a[4] * k + (s3 >>> 52);
        long q = s4 >>> 48;
        s0 = (s0 & MASK) + q; // + q
        s1 = (s1 & MASK) - (q << 44) + (s0 >> 52); // - q 2^96
        s2 = (s2 & MASK) + (s1 >> 52);
        s3 = (s3 & MASK) - (q << 36) + (s2 >> 52); // - q 2^192
        s4 = (s4 & 0xFFFFFFFFFFFFL) + (q << 16) + (s3 >> 52); // - q 2^256 + q 2^224
        reduceOnce(s0 & MASK, s1 & MASK, s2 & MASK, s3 & MASK, s4, z);
    }

    /**
     * r - p when that is not negative, else r, into z, for r = (r4 : r3 : r2 : r1 : r0) with r0..r3 below 2^52
     * and r below 2p, so the result is reduced.
     */
    private static void reduceOnce(long r0, long r1, long r2, long r3, long r4, long[] z) {
        long d0 = r0 - P0;
        long d1 = r1 - P1 + (d0 >> 52);
        long d2 = r2 + (d1 >> 52);
        long d3 = r3 - P3 + (d2 >> 52);
        long d4 = r4 - P4 + (d3 >> 52);
        long keep = d4 >> 63; // all ones when r < p
        z[0] = (r0 & keep) | (d0 & MASK & ~keep);
        z[1] = (r1 & keep) | (d1 & MASK & ~keep);
        z[2] = (r2 & keep) | (d2 & MASK & ~keep);
        z[3] = (r3 & keep) | (d3 & MASK & ~keep);
        z[4] = (r4 & keep) | (d4 & ~keep);
    }

    /** z = a b R^-1 mod p (Montgomery product). z may alias a or b. */
    static void multiply(long[] a, long[] b, long[] z) {
        long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
        long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4];
        long c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0, c8 = 0, c9 = 0, t, m;
        t = a0 * b0;
        c0 += t & MASK;
        c1 += (Math.multiplyHigh(a0, b0) << 12) | (t >>> 52);
        t = a0 * b1;
        c1 += t & MASK;
        c2 += (Math.multiplyHigh(a0, b1) << 12) | (t >>> 52);
        t = a0 * b2;
        c2 += t & MASK;
        c3 += (Math.multiplyHigh(a0, b2) << 12) | (t >>> 52);
        t = a0 * b3;
        c3 += t & MASK;
        c4 += (Math.multiplyHigh(a0, b3) << 12) | (t >>> 52);
        t = a0 * b4;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(a0, b4) << 12) | (t >>> 52);
        t = a1 * b0;
        c1 += t & MASK;
        c2 += (Math.multiplyHigh(a1, b0) << 12) | (t >>> 52);
        t = a1 * b1;
        c2 += t & MASK;
        c3 += (Math.multiplyHigh(a1, b1) << 12) | (t >>> 52);
        t = a1 * b2;
        c3 += t & MASK;
        c4 += (Math.multiplyHigh(a1, b2) << 12) | (t >>> 52);
        t = a1 * b3;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(a1, b3) << 12) | (t >>> 52);
        t = a1 * b4;
        c5 += t & MASK;
        c6 += (Math.multiplyHigh(a1, b4) << 12) | (t >>> 52);
        t = a2 * b0;
        c2 += t & MASK;
        c3 += (Math.multiplyHigh(a2, b0) << 12) | (t >>> 52);
        t = a2 * b1;
        c3 += t & MASK;
        c4 += (Math.multiplyHigh(a2, b1) << 12) | (t >>> 52);
        t = a2 * b2;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(a2, b2) << 12) | (t >>> 52);
        t = a2 * b3;
        c5 += t & MASK;
        c6 += (Math.multiplyHigh(a2, b3) << 12) | (t >>> 52);
        t = a2 * b4;
        c6 += t & MASK;
        c7 += (Math.multiplyHigh(a2, b4) << 12) | (t >>> 52);
        t = a3 * b0;
        c3 += t & MASK;
        c4 += (Math.multiplyHigh(a3, b0) << 12) | (t >>> 52);
        t = a3 * b1;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(a3, b1) << 12) | (t >>> 52);
        t = a3 * b2;
        c5 += t & MASK;
        c6 += (Math.multiplyHigh(a3, b2) << 12) | (t >>> 52);
        t = a3 * b3;
        c6 += t & MASK;
        c7 += (Math.multiplyHigh(a3, b3) << 12) | (t >>> 52);
        t = a3 * b4;
        c7 += t & MASK;
        c8 += (Math.multiplyHigh(a3, b4) << 12) | (t >>> 52);
        t = a4 * b0;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(a4, b0) << 12) | (t >>> 52);
        t = a4 * b1;
        c5 += t & MASK;
        c6 += (Math.multiplyHigh(a4, b1) << 12) | (t >>> 52);
        t = a4 * b2;
        c6 += t & MASK;
        c7 += (Math.multiplyHigh(a4, b2) << 12) | (t >>> 52);
        t = a4 * b3;
        c7 += t & MASK;
        c8 += (Math.multiplyHigh(a4, b3) << 12) | (t >>> 52);
        t = a4 * b4;
        c8 += t & MASK;
        c9 += (Math.multiplyHigh(a4, b4) << 12) | (t >>> 52);
        // Reduction: c += m p 2^(52 i) with m = c_i mod 2^52, by shifts (see reduceStep).
        m = c0 & MASK;
        c1 += ((c0 - m) >> 52) + ((m << 44) & MASK);
        c2 += m >>> 8;
        c3 += (m << 36) & MASK;
        c4 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c5 += (m >>> 4) - (m >>> 36);
        m = c1 & MASK;
        c2 += ((c1 - m) >> 52) + ((m << 44) & MASK);
        c3 += m >>> 8;
        c4 += (m << 36) & MASK;
        c5 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c6 += (m >>> 4) - (m >>> 36);
        m = c2 & MASK;
        c3 += ((c2 - m) >> 52) + ((m << 44) & MASK);
        c4 += m >>> 8;
        c5 += (m << 36) & MASK;
        c6 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c7 += (m >>> 4) - (m >>> 36);
        m = c3 & MASK;
        c4 += ((c3 - m) >> 52) + ((m << 44) & MASK);
        c5 += m >>> 8;
        c6 += (m << 36) & MASK;
        c7 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c8 += (m >>> 4) - (m >>> 36);
        m = c4 & MASK;
        c5 += ((c4 - m) >> 52) + ((m << 44) & MASK);
        c6 += m >>> 8;
        c7 += (m << 36) & MASK;
        c8 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c9 += (m >>> 4) - (m >>> 36);
        c6 += c5 >> 52;
        c5 &= MASK;
        c7 += c6 >> 52;
        c6 &= MASK;
        c8 += c7 >> 52;
        c7 &= MASK;
        c9 += c8 >> 52;
        c8 &= MASK;
        reduceOnce(c5, c6, c7, c8, c9, z);
    }

    /** z = a^2 R^-1 mod p: each cross product a_i a_j (i < j) once, as (2 a_i) a_j. z may alias a. */
    static void square(long[] a, long[] z) {
        long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
        long c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0, c8 = 0, c9 = 0, t, m;
        long d0 = a0 << 1, d1 = a1 << 1, d2 = a2 << 1, d3 = a3 << 1;
        t = a0 * a0;
        c0 += t & MASK;
        c1 += (Math.multiplyHigh(a0, a0) << 12) | (t >>> 52);
        t = d0 * a1;
        c1 += t & MASK;
        c2 += (Math.multiplyHigh(d0, a1) << 12) | (t >>> 52);
        t = d0 * a2;
        c2 += t & MASK;
        c3 += (Math.multiplyHigh(d0, a2) << 12) | (t >>> 52);
        t = d0 * a3;
        c3 += t & MASK;
        c4 += (Math.multiplyHigh(d0, a3) << 12) | (t >>> 52);
        t = d0 * a4;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(d0, a4) << 12) | (t >>> 52);
        t = a1 * a1;
        c2 += t & MASK;
        c3 += (Math.multiplyHigh(a1, a1) << 12) | (t >>> 52);
        t = d1 * a2;
        c3 += t & MASK;
        c4 += (Math.multiplyHigh(d1, a2) << 12) | (t >>> 52);
        t = d1 * a3;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(d1, a3) << 12) | (t >>> 52);
        t = d1 * a4;
        c5 += t & MASK;
        c6 += (Math.multiplyHigh(d1, a4) << 12) | (t >>> 52);
        t = a2 * a2;
        c4 += t & MASK;
        c5 += (Math.multiplyHigh(a2, a2) << 12) | (t >>> 52);
        t = d2 * a3;
        c5 += t & MASK;
        c6 += (Math.multiplyHigh(d2, a3) << 12) | (t >>> 52);
        t = d2 * a4;
        c6 += t & MASK;
        c7 += (Math.multiplyHigh(d2, a4) << 12) | (t >>> 52);
        t = a3 * a3;
        c6 += t & MASK;
        c7 += (Math.multiplyHigh(a3, a3) << 12) | (t >>> 52);
        t = d3 * a4;
        c7 += t & MASK;
        c8 += (Math.multiplyHigh(d3, a4) << 12) | (t >>> 52);
        t = a4 * a4;
        c8 += t & MASK;
        c9 += (Math.multiplyHigh(a4, a4) << 12) | (t >>> 52);
        // Reduction: c += m p 2^(52 i) with m = c_i mod 2^52, by shifts (see reduceStep).
        m = c0 & MASK;
        c1 += ((c0 - m) >> 52) + ((m << 44) & MASK);
        c2 += m >>> 8;
        c3 += (m << 36) & MASK;
        c4 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c5 += (m >>> 4) - (m >>> 36);
        m = c1 & MASK;
        c2 += ((c1 - m) >> 52) + ((m << 44) & MASK);
        c3 += m >>> 8;
        c4 += (m << 36) & MASK;
        c5 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c6 += (m >>> 4) - (m >>> 36);
        m = c2 & MASK;
        c3 += ((c2 - m) >> 52) + ((m << 44) & MASK);
        c4 += m >>> 8;
        c5 += (m << 36) & MASK;
        c6 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c7 += (m >>> 4) - (m >>> 36);
        m = c3 & MASK;
        c4 += ((c3 - m) >> 52) + ((m << 44) & MASK);
        c5 += m >>> 8;
        c6 += (m << 36) & MASK;
        c7 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c8 += (m >>> 4) - (m >>> 36);
        m = c4 & MASK;
        c5 += ((c4 - m) >> 52) + ((m << 44) & MASK);
        c6 += m >>> 8;
        c7 += (m << 36) & MASK;
        c8 += (m >>> 16) + ((m << 48) & MASK) - ((m << 16) & MASK);
        c9 += (m >>> 4) - (m >>> 36);
        c6 += c5 >> 52;
        c5 &= MASK;
        c7 += c6 >> 52;
        c6 &= MASK;
        c8 += c7 >> 52;
        c7 &= MASK;
        c9 += c8 >> 52;
        c8 &= MASK;
        reduceOnce(c5, c6, c7, c8, c9, z);
    }

    /** z = a^(2^n), n >= 1. */
    static void squareN(long[] a, int n, long[] z) {
        square(a, z);
        for (int i = 1; i < n; i++) {
            square(z, z);
        }
    }

    /**
     * z = a^-1 for a != 0, by Bouncy Castle's constant-time safegcd ({@code SecP256R1Field.inv}, Bernstein-Yang
     * divsteps, a fixed number of iterations) on the Montgomery form's 32-bit words: (a R)^-1 = a^-1 R^-1, and a
     * Montgomery multiplication by R^3 gives a^-1 R. Measured about five times faster than Fermat's a^(p - 2) on
     * this field (2 us against 9 us). Throws ArithmeticException for 0, which no caller passes (a Z coordinate of
     * a point of order n, a non-zero denominator).
     */
    static void invert(long[] a, long[] z) {
        int[] words = new int[8];
        toWords(a, words);
        int[] inverse = new int[8];
        SecP256R1Field.inv(words, inverse);
        fromWords(inverse, z);
        multiply(z, R3, z);
        Arrays.fill(words, 0);
        Arrays.fill(inverse, 0);
    }

    /** The limbs' value (below 2^256) as eight little-endian 32-bit words: bit moves at fixed positions. */
    static void toWords(long[] a, int[] w) {
        long q0 = a[0] | (a[1] << 52);
        long q1 = (a[1] >>> 12) | (a[2] << 40);
        long q2 = (a[2] >>> 24) | (a[3] << 28);
        long q3 = (a[3] >>> 36) | (a[4] << 16);
        w[0] = (int) q0;
        w[1] = (int) (q0 >>> 32);
        w[2] = (int) q1;
        w[3] = (int) (q1 >>> 32);
        w[4] = (int) q2;
        w[5] = (int) (q2 >>> 32);
        w[6] = (int) q3;
        w[7] = (int) (q3 >>> 32);
    }

    /** Eight little-endian 32-bit words as 52-bit limbs (the inverse of {@link #toWords}). */
    static void fromWords(int[] w, long[] z) {
        long q0 = (w[0] & 0xffffffffL) | ((long) w[1] << 32);
        long q1 = (w[2] & 0xffffffffL) | ((long) w[3] << 32);
        long q2 = (w[4] & 0xffffffffL) | ((long) w[5] << 32);
        long q3 = (w[6] & 0xffffffffL) | ((long) w[7] << 32);
        z[0] = q0 & MASK;
        z[1] = ((q0 >>> 52) | (q1 << 12)) & MASK;
        z[2] = ((q1 >>> 40) | (q2 << 24)) & MASK;
        z[3] = ((q2 >>> 28) | (q3 << 36)) & MASK;
        z[4] = q3 >>> 16;
    }

    /**
     * z = a^((p + 1) / 4), the square root of a when a is a square (p = 3 mod 4); returns 1 when z^2 = a, else
     * 0 (then a is not a square and z is sqrt(-a)). (p + 1) / 4 = (2^32 - 1) 2^222 + 2^190 + 2^94: 253
     * squarings and 10 multiplications. z may alias a.
     */
    static int sqrt(long[] a, long[] z) {
        long[][] x = runs(a);
        long[] r = create();
        squareN(x[6], 32, r);
        multiply(r, a, r);
        squareN(r, 96, r);
        multiply(r, a, r);
        squareN(r, 94, r);
        long[] check = create();
        square(r, check);
        int root = equal(check, a);
        copy(r, z);
        wipe(x);
        Arrays.fill(r, 0);
        Arrays.fill(check, 0);
        return root;
    }

    /** x_k = a^(2^k - 1) for k = 2, 4, 8, 16, 24, 30, 32 (x_28 is only a step): 31 squarings, 7 products. */
    static long[][] runs(long[] a) {
        long[] x2 = create();
        square(a, x2);
        multiply(x2, a, x2);
        long[] x4 = create();
        squareN(x2, 2, x4);
        multiply(x4, x2, x4);
        long[] x8 = create();
        squareN(x4, 4, x8);
        multiply(x8, x4, x8);
        long[] x16 = create();
        squareN(x8, 8, x16);
        multiply(x16, x8, x16);
        long[] x24 = create();
        squareN(x16, 8, x24);
        multiply(x24, x8, x24);
        long[] x30 = create();
        squareN(x24, 4, x30);
        multiply(x30, x4, x30); // x28
        squareN(x30, 2, x30);
        multiply(x30, x2, x30);
        long[] x32 = create();
        squareN(x30, 2, x32);
        multiply(x32, x2, x32);
        return new long[][] {x2, x4, x8, x16, x24, x30, x32};
    }

    private static void wipe(long[][] values) {
        for (long[] v : values) {
            Arrays.fill(v, 0);
        }
    }

    /** 1 when a == b, else 0, without a data-dependent branch (both reduced: equal values have equal limbs). */
    static int equal(long[] a, long[] b) {
        long diff = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]);
        return (int) (((diff | -diff) >>> 63) ^ 1);
    }

    /** 1 when a == 0, else 0. */
    static int isZero(long[] a) {
        long diff = a[0] | a[1] | a[2] | a[3] | a[4];
        return (int) (((diff | -diff) >>> 63) ^ 1);
    }

    /** z = a when cond is 1, z unchanged when cond is 0 (a masked copy). */
    static void conditionalMove(int cond, long[] a, long[] z) {
        long mask = -(long) cond;
        for (int i = 0; i < LIMBS; i++) {
            z[i] ^= (z[i] ^ a[i]) & mask;
        }
    }

    static void copy(long[] a, long[] z) {
        System.arraycopy(a, 0, z, 0, LIMBS);
    }

    /** The plain value's least significant bit: sgn0 of RFC 9380 (4.1) and the parity of a compressed y. */
    static int parity(long[] a) {
        long[] plain = create();
        multiply(a, PLAIN_ONE, plain);
        int bit = (int) (plain[0] & 1);
        Arrays.fill(plain, 0);
        return bit;
    }

    /** v (below 2^260) as 52-bit limbs, not in Montgomery form. */
    static long[] limbs(BigInteger v) {
        long[] z = new long[LIMBS];
        for (int i = 0; i < LIMBS; i++) {
            z[i] = v.shiftRight(LIMB_BITS * i).longValue() & MASK;
        }
        return z;
    }
}
