package org.opencluster.auth.card.piv;

import javacard.framework.Util;

/**
 * Checks that an uncompressed point lies on P-256 / P-384 (x, y below p and y^2 = x^3 + ax + b mod p), so an
 * ECDH peer cannot send a point of a weaker curve and learn the private key from the answers (invalid-curve
 * attack). Only used on platforms whose KeyAgreement does not reject such points itself (probed at install):
 * the bit-serial arithmetic here is simple and constant in shape, not fast.
 */
final class EcPointCheck {
    private EcPointCheck() {
    }

    /** Bytes of scratch {@link #onCurve} needs for a field of {@code n} bytes. */
    static short scratchSize(short n) {
        return (short) (3 * n);
    }

    /**
     * @param point  04||X||Y, already checked to be {@code 1 + 2n} bytes
     * @param scratch {@link #scratchSize} bytes at {@code sOff}, wiped before returning
     */
    static boolean onCurve(byte[] point, short off, short bits, byte[] scratch, short sOff) {
        short n = bits == (short) 256 ? (short) 32 : (short) 48;
        byte[] p = EcCurves.prime(bits);
        short x = (short) (off + 1);
        short y = (short) (x + n);
        if (!lessThan(point, x, p, n) || !lessThan(point, y, p, n)) {
            return false;
        }
        short lhs = sOff;
        short t = (short) (sOff + n);
        short rhs = (short) (sOff + 2 * n);
        mulMod(point, y, point, y, scratch, lhs, p, n);
        mulMod(point, x, point, x, scratch, t, p, n);
        addMod(scratch, t, EcCurves.coefficientA(bits), (short) 0, p, n);
        mulMod(scratch, t, point, x, scratch, rhs, p, n);
        addMod(scratch, rhs, EcCurves.coefficientB(bits), (short) 0, p, n);
        boolean ok = Util.arrayCompare(scratch, lhs, scratch, rhs, n) == 0;
        Util.arrayFillNonAtomic(scratch, sOff, scratchSize(n), (byte) 0);
        return ok;
    }

    /** out = a * b mod p by MSB-first double-and-add; out must not overlap a or b. All values below p. */
    private static void mulMod(byte[] a, short aOff, byte[] b, short bOff, byte[] out, short oOff, byte[] p,
                               short n) {
        Util.arrayFillNonAtomic(out, oOff, n, (byte) 0);
        for (short i = 0; i < n; i++) {
            byte current = a[(short) (aOff + i)];
            for (short bit = 7; bit >= 0; bit--) {
                boolean carry = shiftLeft(out, oOff, n);
                if (carry || !lessThan(out, oOff, p, n)) {
                    subtract(out, oOff, p, n);
                }
                if (((current >> bit) & 1) != 0) {
                    addMod(out, oOff, b, bOff, p, n);
                }
            }
        }
    }

    /** r = r + v mod p (r, v below p). */
    private static void addMod(byte[] r, short rOff, byte[] v, short vOff, byte[] p, short n) {
        short carry = 0;
        for (short i = (short) (n - 1); i >= 0; i--) {
            short sum = (short) ((r[(short) (rOff + i)] & 0xFF) + (v[(short) (vOff + i)] & 0xFF) + carry);
            r[(short) (rOff + i)] = (byte) sum;
            carry = (short) (sum >> 8);
        }
        if (carry != 0 || !lessThan(r, rOff, p, n)) {
            subtract(r, rOff, p, n);
        }
    }

    /** r = r - p modulo 2^(8n): callers only subtract when the true value is at least p. */
    private static void subtract(byte[] r, short rOff, byte[] p, short n) {
        short borrow = 0;
        for (short i = (short) (n - 1); i >= 0; i--) {
            short diff = (short) ((r[(short) (rOff + i)] & 0xFF) - (p[i] & 0xFF) - borrow);
            r[(short) (rOff + i)] = (byte) diff;
            borrow = (short) (diff < 0 ? 1 : 0);
        }
    }

    /** r = 2r, returning the bit shifted out. */
    private static boolean shiftLeft(byte[] r, short rOff, short n) {
        short carry = 0;
        for (short i = (short) (n - 1); i >= 0; i--) {
            short v = (short) (((r[(short) (rOff + i)] & 0xFF) << 1) | carry);
            r[(short) (rOff + i)] = (byte) v;
            carry = (short) ((v >> 8) & 1);
        }
        return carry != 0;
    }

    /** Whether the n-byte big-endian value at v[off] is below p. */
    private static boolean lessThan(byte[] v, short off, byte[] p, short n) {
        for (short i = 0; i < n; i++) {
            short a = (short) (v[(short) (off + i)] & 0xFF);
            short b = (short) (p[i] & 0xFF);
            if (a != b) {
                return a < b;
            }
        }
        return false;
    }
}
