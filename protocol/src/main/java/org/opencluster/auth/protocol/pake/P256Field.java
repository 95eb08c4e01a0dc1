package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;

/**
 * Arithmetic modulo the P-256 prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1 in Montgomery form (a is held as
 * a R mod p, R = 2^256) on four little-endian 64-bit limbs, always fully reduced to [0, p).
 *
 * <p>Why: Bouncy Castle's {@code SecP256R1Field} works on eight 32-bit words, 64 word products per
 * multiplication; four 64-bit limbs need 16, each one {@code imul} and one {@link Math#multiplyHigh} (an
 * intrinsic). Java 17 has no unsigned high product, so the signed one is corrected with masks:
 * hi_u(x, y) = hi_s(x, y) + (x &lt; 0 ? y : 0) + (y &lt; 0 ? x : 0), with the conditions as sign masks.
 *
 * <p>Multiplication is Montgomery's, finely integrated product scanning: column by column into a three-limb
 * accumulator, each column's reduction digit m_i is the accumulator's low limb (-p^-1 = 1 mod 2^64 because
 * p = -1 mod 2^64), and m_i p is added in the same pass. The result is below 2p and one masked subtraction of p
 * reduces it. The multiplication and squaring bodies are unrolled (generated, one block per product).
 *
 * <p>Constant time: every routine runs the same instructions whatever the values (carries and borrows come from
 * bit formulas, Hacker's Delight 2-16, never comparisons; choices are masks); only the public exponents of
 * {@link #invert} and {@link #sqrt} shape their sequence. The BigInteger conversions are not constant time and
 * are for the boundary with Bouncy Castle's points and for tests.
 */
final class P256Field {
    static final BigInteger P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    static final int LIMBS = 4;
    private static final long P0 = 0xFFFFFFFFFFFFFFFFL;
    private static final long P1 = 0x00000000FFFFFFFFL;
    private static final long P3 = 0xFFFFFFFF00000001L;
    /** R^2 mod p: multiplying by it brings a plain value into Montgomery form. */
    private static final long[] R2 = limbs(BigInteger.ONE.shiftLeft(512).mod(P));
    /** 1 in Montgomery form (R mod p). */
    static final long[] ONE = limbs(BigInteger.ONE.shiftLeft(256).mod(P));

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

    /** The plain value of a Montgomery-form element (not constant time: BigInteger). */
    static BigInteger toBigInteger(long[] a) {
        long[] plain = create();
        fromMontgomery(a, plain);
        BigInteger v = BigInteger.ZERO;
        for (int i = LIMBS - 1; i >= 0; i--) {
            v = v.shiftLeft(64).or(new BigInteger(Long.toUnsignedString(plain[i])));
        }
        return v;
    }

    /** z = a R^-1: the plain value of a, still as limbs (a Montgomery multiplication by 1). */
    static void fromMontgomery(long[] a, long[] z) {
        multiply(a, new long[] {1, 0, 0, 0}, z);
    }

    /** z = a + b mod p. z may alias a or b. */
    static void add(long[] a, long[] b, long[] z) {
        long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
        long s0 = a0 + b0;
        long c = ((a0 & b0) | ((a0 | b0) & ~s0)) >>> 63;
        long s1 = a1 + b1 + c;
        c = ((a1 & b1) | ((a1 | b1) & ~s1)) >>> 63;
        long s2 = a2 + b2 + c;
        c = ((a2 & b2) | ((a2 | b2) & ~s2)) >>> 63;
        long s3 = a3 + b3 + c;
        c = ((a3 & b3) | ((a3 | b3) & ~s3)) >>> 63;
        reduceOnce(s0, s1, s2, s3, c, z);
    }

    /** z = a - b mod p: the difference, plus p when it borrowed (masked). z may alias a or b. */
    static void subtract(long[] a, long[] b, long[] z) {
        long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
        long d0 = a0 - b0;
        long w = ((~a0 & b0) | (~(a0 ^ b0) & d0)) >>> 63;
        long d1 = a1 - b1 - w;
        w = ((~a1 & b1) | (~(a1 ^ b1) & d1)) >>> 63;
        long d2 = a2 - b2 - w;
        w = ((~a2 & b2) | (~(a2 ^ b2) & d2)) >>> 63;
        long d3 = a3 - b3 - w;
        w = ((~a3 & b3) | (~(a3 ^ b3) & d3)) >>> 63;
        long mask = -w;
        long q0 = P0 & mask, q1 = P1 & mask, q3 = P3 & mask;
        long s0 = d0 + q0;
        long c = ((d0 & q0) | ((d0 | q0) & ~s0)) >>> 63;
        long s1 = d1 + q1 + c;
        c = ((d1 & q1) | ((d1 | q1) & ~s1)) >>> 63;
        long s2 = d2 + c;
        c = (d2 & ~s2) >>> 63;
        long s3 = d3 + q3 + c;
        z[0] = s0;
        z[1] = s1;
        z[2] = s2;
        z[3] = s3;
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
     * (r4 : r3 : r2 : r1 : r0) - p when that is not negative, else the value itself, into z; the value is below
     * 2p, so the result is reduced.
     */
    private static void reduceOnce(long r0, long r1, long r2, long r3, long r4, long[] z) {
        long d0 = r0 - P0;
        long w = ((~r0 & P0) | (~(r0 ^ P0) & d0)) >>> 63;
        long d1 = r1 - P1 - w;
        w = ((~r1 & P1) | (~(r1 ^ P1) & d1)) >>> 63;
        long d2 = r2 - w;
        w = ((~r2) & d2) >>> 63;
        long d3 = r3 - P3 - w;
        w = ((~r3 & P3) | (~(r3 ^ P3) & d3)) >>> 63;
        // Keep r when the subtraction borrowed out of r4 (r4 = 0 and a borrow), else r - p.
        long keep = -(w & (r4 ^ 1));
        z[0] = (r0 & keep) | (d0 & ~keep);
        z[1] = (r1 & keep) | (d1 & ~keep);
        z[2] = (r2 & keep) | (d2 & ~keep);
        z[3] = (r3 & keep) | (d3 & ~keep);
    }

    /** z = a b R^-1 mod p (Montgomery product). z may alias a or b. */
    static void multiply(long[] a, long[] b, long[] z) {
        long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        long b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
        long c0 = 0, c1 = 0, c2 = 0, lo, hi, s, cy;
        lo = a0 * b0;
        hi = Math.multiplyHigh(a0, b0) + ((a0 >> 63) & b0) + ((b0 >> 63) & a0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m0 = c0; // -p^-1 = 1 mod 2^64
        lo = m0 * P0;
        hi = Math.multiplyHigh(m0, P0) + ((m0 >> 63) & P0) + ((P0 >> 63) & m0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = a0 * b1;
        hi = Math.multiplyHigh(a0, b1) + ((a0 >> 63) & b1) + ((b1 >> 63) & a0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m0 * P1;
        hi = Math.multiplyHigh(m0, P1) + ((m0 >> 63) & P1) + ((P1 >> 63) & m0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a1 * b0;
        hi = Math.multiplyHigh(a1, b0) + ((a1 >> 63) & b0) + ((b0 >> 63) & a1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m1 = c0; // -p^-1 = 1 mod 2^64
        lo = m1 * P0;
        hi = Math.multiplyHigh(m1, P0) + ((m1 >> 63) & P0) + ((P0 >> 63) & m1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = a0 * b2;
        hi = Math.multiplyHigh(a0, b2) + ((a0 >> 63) & b2) + ((b2 >> 63) & a0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a1 * b1;
        hi = Math.multiplyHigh(a1, b1) + ((a1 >> 63) & b1) + ((b1 >> 63) & a1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m1 * P1;
        hi = Math.multiplyHigh(m1, P1) + ((m1 >> 63) & P1) + ((P1 >> 63) & m1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a2 * b0;
        hi = Math.multiplyHigh(a2, b0) + ((a2 >> 63) & b0) + ((b0 >> 63) & a2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m2 = c0; // -p^-1 = 1 mod 2^64
        lo = m2 * P0;
        hi = Math.multiplyHigh(m2, P0) + ((m2 >> 63) & P0) + ((P0 >> 63) & m2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = a0 * b3;
        hi = Math.multiplyHigh(a0, b3) + ((a0 >> 63) & b3) + ((b3 >> 63) & a0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m0 * P3;
        hi = Math.multiplyHigh(m0, P3) + ((m0 >> 63) & P3) + ((P3 >> 63) & m0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a1 * b2;
        hi = Math.multiplyHigh(a1, b2) + ((a1 >> 63) & b2) + ((b2 >> 63) & a1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a2 * b1;
        hi = Math.multiplyHigh(a2, b1) + ((a2 >> 63) & b1) + ((b1 >> 63) & a2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m2 * P1;
        hi = Math.multiplyHigh(m2, P1) + ((m2 >> 63) & P1) + ((P1 >> 63) & m2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a3 * b0;
        hi = Math.multiplyHigh(a3, b0) + ((a3 >> 63) & b0) + ((b0 >> 63) & a3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m3 = c0; // -p^-1 = 1 mod 2^64
        lo = m3 * P0;
        hi = Math.multiplyHigh(m3, P0) + ((m3 >> 63) & P0) + ((P0 >> 63) & m3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = a1 * b3;
        hi = Math.multiplyHigh(a1, b3) + ((a1 >> 63) & b3) + ((b3 >> 63) & a1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m1 * P3;
        hi = Math.multiplyHigh(m1, P3) + ((m1 >> 63) & P3) + ((P3 >> 63) & m1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a2 * b2;
        hi = Math.multiplyHigh(a2, b2) + ((a2 >> 63) & b2) + ((b2 >> 63) & a2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a3 * b1;
        hi = Math.multiplyHigh(a3, b1) + ((a3 >> 63) & b1) + ((b1 >> 63) & a3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m3 * P1;
        hi = Math.multiplyHigh(m3, P1) + ((m3 >> 63) & P1) + ((P1 >> 63) & m3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long r0 = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = a2 * b3;
        hi = Math.multiplyHigh(a2, b3) + ((a2 >> 63) & b3) + ((b3 >> 63) & a2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m2 * P3;
        hi = Math.multiplyHigh(m2, P3) + ((m2 >> 63) & P3) + ((P3 >> 63) & m2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a3 * b2;
        hi = Math.multiplyHigh(a3, b2) + ((a3 >> 63) & b2) + ((b2 >> 63) & a3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long r1 = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = a3 * b3;
        hi = Math.multiplyHigh(a3, b3) + ((a3 >> 63) & b3) + ((b3 >> 63) & a3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m3 * P3;
        hi = Math.multiplyHigh(m3, P3) + ((m3 >> 63) & P3) + ((P3 >> 63) & m3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long r2 = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        reduceOnce(r0, r1, r2, c0, c1, z);
    }

    /** z = a^2 R^-1 mod p: the multiplication with each cross product computed once and added twice. */
    static void square(long[] a, long[] z) {
        long a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        long c0 = 0, c1 = 0, c2 = 0, lo, hi, s, cy, lo2, hi2;
        lo = a0 * a0;
        hi = Math.multiplyHigh(a0, a0) + ((a0 >> 63) & a0) + ((a0 >> 63) & a0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m0 = c0; // -p^-1 = 1 mod 2^64
        lo = m0 * P0;
        hi = Math.multiplyHigh(m0, P0) + ((m0 >> 63) & P0) + ((P0 >> 63) & m0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = m0 * P1;
        hi = Math.multiplyHigh(m0, P1) + ((m0 >> 63) & P1) + ((P1 >> 63) & m0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a0 * a1;
        hi = Math.multiplyHigh(a0, a1) + ((a0 >> 63) & a1) + ((a1 >> 63) & a0);
        lo2 = lo;
        hi2 = hi;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = lo2;
        hi = hi2;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m1 = c0; // -p^-1 = 1 mod 2^64
        lo = m1 * P0;
        hi = Math.multiplyHigh(m1, P0) + ((m1 >> 63) & P0) + ((P0 >> 63) & m1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = m1 * P1;
        hi = Math.multiplyHigh(m1, P1) + ((m1 >> 63) & P1) + ((P1 >> 63) & m1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a0 * a2;
        hi = Math.multiplyHigh(a0, a2) + ((a0 >> 63) & a2) + ((a2 >> 63) & a0);
        lo2 = lo;
        hi2 = hi;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = lo2;
        hi = hi2;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a1 * a1;
        hi = Math.multiplyHigh(a1, a1) + ((a1 >> 63) & a1) + ((a1 >> 63) & a1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m2 = c0; // -p^-1 = 1 mod 2^64
        lo = m2 * P0;
        hi = Math.multiplyHigh(m2, P0) + ((m2 >> 63) & P0) + ((P0 >> 63) & m2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = m0 * P3;
        hi = Math.multiplyHigh(m0, P3) + ((m0 >> 63) & P3) + ((P3 >> 63) & m0);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m2 * P1;
        hi = Math.multiplyHigh(m2, P1) + ((m2 >> 63) & P1) + ((P1 >> 63) & m2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a0 * a3;
        hi = Math.multiplyHigh(a0, a3) + ((a0 >> 63) & a3) + ((a3 >> 63) & a0);
        lo2 = lo;
        hi2 = hi;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = lo2;
        hi = hi2;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a1 * a2;
        hi = Math.multiplyHigh(a1, a2) + ((a1 >> 63) & a2) + ((a2 >> 63) & a1);
        lo2 = lo;
        hi2 = hi;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = lo2;
        hi = hi2;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long m3 = c0; // -p^-1 = 1 mod 2^64
        lo = m3 * P0;
        hi = Math.multiplyHigh(m3, P0) + ((m3 >> 63) & P0) + ((P0 >> 63) & m3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = m1 * P3;
        hi = Math.multiplyHigh(m1, P3) + ((m1 >> 63) & P3) + ((P3 >> 63) & m1);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = m3 * P1;
        hi = Math.multiplyHigh(m3, P1) + ((m3 >> 63) & P1) + ((P1 >> 63) & m3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a1 * a3;
        hi = Math.multiplyHigh(a1, a3) + ((a1 >> 63) & a3) + ((a3 >> 63) & a1);
        lo2 = lo;
        hi2 = hi;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = lo2;
        hi = hi2;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a2 * a2;
        hi = Math.multiplyHigh(a2, a2) + ((a2 >> 63) & a2) + ((a2 >> 63) & a2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long r0 = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = m2 * P3;
        hi = Math.multiplyHigh(m2, P3) + ((m2 >> 63) & P3) + ((P3 >> 63) & m2);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a2 * a3;
        hi = Math.multiplyHigh(a2, a3) + ((a2 >> 63) & a3) + ((a3 >> 63) & a2);
        lo2 = lo;
        hi2 = hi;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = lo2;
        hi = hi2;
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long r1 = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        lo = m3 * P3;
        hi = Math.multiplyHigh(m3, P3) + ((m3 >> 63) & P3) + ((P3 >> 63) & m3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        lo = a3 * a3;
        hi = Math.multiplyHigh(a3, a3) + ((a3 >> 63) & a3) + ((a3 >> 63) & a3);
        s = c0 + lo;
        cy = ((c0 & lo) | ((c0 | lo) & ~s)) >>> 63;
        c0 = s;
        hi += cy;
        s = c1 + hi;
        c2 += ((c1 & hi) | ((c1 | hi) & ~s)) >>> 63;
        c1 = s;
        long r2 = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
        reduceOnce(r0, r1, r2, c0, c1, z);
    }

    /** z = a^(2^n). */
    static void squareN(long[] a, int n, long[] z) {
        square(a, z);
        for (int i = 1; i < n; i++) {
            square(z, z);
        }
    }

    /**
     * z = a^-1 = a^(p - 2) (Fermat; 0 maps to 0). p - 2 = (2^32 - 1) 2^224 + 2^192 + (2^94 - 1) 2^2 + 1: from
     * the runs of ones x_k = a^(2^k - 1), 255 squarings and 13 multiplications.
     */
    static void invert(long[] a, long[] z) {
        long[][] x = runs(a);
        long[] x2 = x[0], x30 = x[5], x32 = x[6];
        long[] r = create();
        squareN(x32, 32, r);
        multiply(r, a, r); // (2^32 - 1) 2^32 + 1
        squareN(r, 96 + 32, r);
        multiply(r, x32, r);
        squareN(r, 32, r);
        multiply(r, x32, r);
        squareN(r, 30, r);
        multiply(r, x30, r);
        squareN(r, 2, r);
        multiply(r, a, r); // ... (2^94 - 1) 2^2 + 1
        System.arraycopy(r, 0, z, 0, LIMBS);
        wipe(x);
        java.util.Arrays.fill(r, 0);
        java.util.Arrays.fill(x2, 0);
    }

    /**
     * z = a^((p + 1) / 4), the square root of a when a is a square (p = 3 mod 4); returns 1 when z^2 = a, else
     * 0 (then a is not a square and z is meaningless). (p + 1) / 4 = (2^32 - 1) 2^222 + 2^190 + 2^94.
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
        System.arraycopy(r, 0, z, 0, LIMBS);
        wipe(x);
        java.util.Arrays.fill(r, 0);
        java.util.Arrays.fill(check, 0);
        return root;
    }

    /** x_k = a^(2^k - 1) for k = 2, 4, 8, 16, 24, 30, 32 (x_28 is only a step). */
    private static long[][] runs(long[] a) {
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
            java.util.Arrays.fill(v, 0);
        }
    }

    /** 1 when a == b, else 0, without a data-dependent branch (both reduced, so equal values are equal limbs). */
    static int equal(long[] a, long[] b) {
        long diff = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]);
        return (int) (((diff | -diff) >>> 63) ^ 1);
    }

    /** 1 when a == 0, else 0. */
    static int isZero(long[] a) {
        long diff = a[0] | a[1] | a[2] | a[3];
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
        fromMontgomery(a, plain);
        int bit = (int) (plain[0] & 1);
        java.util.Arrays.fill(plain, 0);
        return bit;
    }

    private static long[] limbs(BigInteger v) {
        long[] z = new long[LIMBS];
        for (int i = 0; i < LIMBS; i++) {
            z[i] = v.shiftRight(64 * i).longValue();
        }
        return z;
    }
}
