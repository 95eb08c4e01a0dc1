package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Curve;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.math.raw.Nat256;

/**
 * Arithmetic modulo the P-256 prime p on eight little-endian 32-bit words, over Bouncy Castle's
 * {@link SecP256R1Field} (fixed-length word loops, no BigInteger), plus the constant-time helpers the map to the
 * curve needs: equality as a 0/1 word and conditional move.
 */
final class P256FieldOps {
    static final BigInteger P = SecP256R1Curve.q;
    static final int WORDS = 8;

    private P256FieldOps() {
    }

    static int[] fromBigInteger(BigInteger v) {
        return SecP256R1Field.fromBigInteger(v);
    }

    static BigInteger toBigInteger(int[] x) {
        return Nat256.toBigInteger(x);
    }

    /**
     * OS2IP(bytes) mod p for up to 64 big-endian bytes (hash_to_field's 48), reduced by Bouncy Castle's
     * fixed-length reduction of a double-width product, not by BigInteger division.
     */
    static int[] reduceBigEndian(byte[] bytes, int off, int len) {
        if (len > 64) {
            throw new IllegalArgumentException("at most 64 bytes");
        }
        int[] wide = new int[2 * WORDS];
        for (int i = 0; i < len; i++) {
            int fromEnd = len - 1 - i;
            wide[fromEnd >>> 2] |= (bytes[off + i] & 0xff) << ((fromEnd & 3) << 3);
        }
        int[] z = new int[WORDS];
        SecP256R1Field.reduce(wide, z);
        Nat.zero(2 * WORDS, wide);
        return z;
    }

    static int[] multiply(int[] a, int[] b) {
        int[] z = new int[WORDS];
        SecP256R1Field.multiply(a, b, z);
        return z;
    }

    static int[] square(int[] a) {
        int[] z = new int[WORDS];
        SecP256R1Field.square(a, z);
        return z;
    }

    static int[] add(int[] a, int[] b) {
        int[] z = new int[WORDS];
        SecP256R1Field.add(a, b, z);
        return z;
    }

    static int[] negate(int[] a) {
        int[] z = new int[WORDS];
        SecP256R1Field.negate(a, z);
        return z;
    }

    /** 1 when a == b (both reduced), else 0, without a data-dependent branch. */
    static int equal(int[] a, int[] b) {
        int diff = 0;
        for (int i = 0; i < WORDS; i++) {
            diff |= a[i] ^ b[i];
        }
        return ((diff | -diff) >>> 31) ^ 1;
    }

    /** 1 when a == 0, else 0. */
    static int isZero(int[] a) {
        return SecP256R1Field.isZero(a) & 1;
    }

    /** cond ? a : b (cond is 0 or 1), as a masked copy. */
    static int[] select(int cond, int[] a, int[] b) {
        int[] z = b.clone();
        Nat.cmov(WORDS, cond, a, 0, z, 0);
        return z;
    }

    /** sgn0 of RFC 9380, 4.1 (m = 1): the parity of the reduced value. */
    static int sgn0(int[] a) {
        return a[0] & 1;
    }
}
