package org.opencluster.auth.protocol.pake;

import java.math.BigInteger;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Curve;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.math.raw.Nat256;

/**
 * hash_to_field's reduction modulo the P-256 prime p into eight little-endian 32-bit words, by Bouncy Castle's
 * fixed-length reduction of a double-width value (no BigInteger division). The arithmetic on the result is
 * {@link P256Field}'s ({@link P256Field#fromWordsToMontgomery}).
 */
final class P256FieldOps {
    static final BigInteger P = SecP256R1Curve.q;
    static final int WORDS = 8;

    private P256FieldOps() {
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
}
