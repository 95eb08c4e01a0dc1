package org.opencluster.auth.protocol.suite;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF (RFC 5869) over a suite hash, plus the labelled forms of docs/PROTOCOL.md section 5.4:
 * <pre>
 *   HKDF-Expand-Label(secret, label, context, length) = HKDF-Expand(secret, info, length)
 *     info = u16 length || u8 len(L) || L || u8 len(context) || context,   L = "oca1 " || label (ASCII)
 *   Derive-Secret(secret, label, context) = HKDF-Expand-Label(secret, label, context, Hash.length)
 * </pre>
 * Stateless; each call takes a fresh {@link Mac} (JCA instances are not thread-safe). Returned arrays belong to
 * the caller, who wipes them.
 */
public final class Hkdf {
    /** Prefix of every label, so that our derivations can never collide with TLS 1.3's ("tls13 "). */
    public static final String LABEL_PREFIX = "oca1 ";

    private Hkdf() {
    }

    /** HKDF-Extract(salt, ikm); an empty salt means Hash.length zero bytes (RFC 5869, 2.2). */
    public static byte[] extract(HashAlgorithm hash, byte[] salt, byte[] ikm) {
        byte[] s = salt.length == 0 ? new byte[hash.length()] : salt;
        return hmac(hash, s, ikm);
    }

    /** HKDF-Expand(prk, info, length), length at most 255 * Hash.length. */
    public static byte[] expand(HashAlgorithm hash, byte[] prk, byte[] info, int length) {
        int n = (length + hash.length() - 1) / hash.length();
        if (length < 0 || n > 255) {
            throw new IllegalArgumentException("HKDF-Expand length must be 0.." + 255 * hash.length() + ": " + length);
        }
        byte[] out = new byte[length];
        try {
            Mac mac = Mac.getInstance(hash.jcaHmac());
            mac.init(new SecretKeySpec(prk, hash.jcaHmac()));
            byte[] t = new byte[0];
            int pos = 0;
            for (int i = 1; i <= n; i++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) i);
                byte[] next = mac.doFinal();
                Arrays.fill(t, (byte) 0);
                t = next;
                int copy = Math.min(t.length, length - pos);
                System.arraycopy(t, 0, out, pos, copy);
                pos += copy;
            }
            Arrays.fill(t, (byte) 0);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hash.jcaHmac() + " unavailable in this JVM", e);
        }
    }

    /** The {@code info} of HKDF-Expand-Label (exposed for the byte-for-byte tests and the worked example). */
    public static byte[] label(String label, byte[] context, int length) {
        byte[] full = (LABEL_PREFIX + label).getBytes(StandardCharsets.US_ASCII);
        if (full.length > 255 || context.length > 255 || length < 0 || length > 0xffff) {
            throw new IllegalArgumentException("HKDF label, context or length out of range");
        }
        byte[] info = new byte[2 + 1 + full.length + 1 + context.length];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) full.length;
        System.arraycopy(full, 0, info, 3, full.length);
        info[3 + full.length] = (byte) context.length;
        System.arraycopy(context, 0, info, 4 + full.length, context.length);
        return info;
    }

    public static byte[] expandLabel(HashAlgorithm hash, byte[] secret, String label, byte[] context, int length) {
        return expand(hash, secret, label(label, context, length), length);
    }

    public static byte[] deriveSecret(HashAlgorithm hash, byte[] secret, String label, byte[] context) {
        return expandLabel(hash, secret, label, context, hash.length());
    }

    /** HMAC-Hash(key, data). */
    public static byte[] hmac(HashAlgorithm hash, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(hash.jcaHmac());
            mac.init(new SecretKeySpec(key, hash.jcaHmac()));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hash.jcaHmac() + " unavailable in this JVM", e);
        }
    }
}
