package org.opencluster.auth.protocol.pake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * {@code expand_message_xmd} with SHA-256 (RFC 9380, 5.3.1), including the oversized-DST rule of 5.3.3.
 * The message is hashed in full whatever its content, so the running time depends only on its length.
 */
public final class ExpandMessageXmd {
    /** b_in_bytes of SHA-256. */
    static final int HASH_LENGTH = 32;
    /** s_in_bytes (the SHA-256 block size): the length of Z_pad. */
    private static final int BLOCK_LENGTH = 64;
    private static final byte[] OVERSIZE_PREFIX = "H2C-OVERSIZE-DST-".getBytes(StandardCharsets.US_ASCII);

    private ExpandMessageXmd() {
    }

    /** uniform_bytes of {@code length} bytes (1..255 * 32, at most 65535). */
    public static byte[] expand(byte[] msg, byte[] dst, int length) {
        int ell = (length + HASH_LENGTH - 1) / HASH_LENGTH;
        if (length <= 0 || ell > 255 || length > 0xffff) {
            throw new IllegalArgumentException("expand_message_xmd length must be 1..8160: " + length);
        }
        byte[] dstPrime = dstPrime(dst);
        MessageDigest sha = sha256();
        sha.update(new byte[BLOCK_LENGTH]);
        sha.update(msg);
        sha.update(new byte[] {(byte) (length >>> 8), (byte) length, 0});
        sha.update(dstPrime);
        byte[] b0 = sha.digest();
        byte[] out = new byte[ell * HASH_LENGTH];
        byte[] previous = new byte[HASH_LENGTH];
        for (int i = 1; i <= ell; i++) {
            byte[] mixed = new byte[HASH_LENGTH];
            for (int j = 0; j < HASH_LENGTH; j++) {
                mixed[j] = (byte) (b0[j] ^ previous[j]); // for b_1, previous is zero so this is b_0 itself
            }
            sha.update(mixed);
            sha.update((byte) i);
            sha.update(dstPrime);
            Arrays.fill(previous, (byte) 0);
            previous = sha.digest();
            System.arraycopy(previous, 0, out, (i - 1) * HASH_LENGTH, HASH_LENGTH);
            Arrays.fill(mixed, (byte) 0);
        }
        Arrays.fill(b0, (byte) 0);
        Arrays.fill(previous, (byte) 0);
        byte[] result = Arrays.copyOf(out, length);
        Arrays.fill(out, (byte) 0);
        return result;
    }

    /** DST || I2OSP(len(DST), 1), with a DST over 255 bytes first replaced by H("H2C-OVERSIZE-DST-" || DST). */
    static byte[] dstPrime(byte[] dst) {
        byte[] effective = dst;
        if (dst.length > 255) {
            MessageDigest sha = sha256();
            sha.update(OVERSIZE_PREFIX);
            effective = sha.digest(dst);
        }
        byte[] prime = Arrays.copyOf(effective, effective.length + 1);
        prime[effective.length] = (byte) effective.length;
        return prime;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JVM", e);
        }
    }
}
