package org.opencluster.auth.protocol.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * The envelope the server sends for a username it does not know (docs/PROTOCOL.md, section 5.5): derived
 * deterministically from a server secret and the username, so asking twice gives the same bytes (as for a real
 * account), and of the same length as a real envelope, so it cannot be told apart by size. A real envelope is
 * an AEAD ciphertext and therefore also looks uniformly random.
 * <pre>
 *   prk   = HKDF-Extract(SHA-256, salt = 0^32, IKM = decoy_secret)
 *   decoy = HKDF-Expand-Label(prk, "decoy envelope", SHA-256(UTF-8(username)), length)
 * </pre>
 */
public final class DecoyEnvelope {
    /** Smallest accepted decoy secret (256 bits). */
    public static final int MIN_SECRET_LENGTH = 32;
    /** HKDF-SHA-256 can expand to at most 255 * 32 bytes. */
    public static final int MAX_LENGTH = 255 * 32;

    private DecoyEnvelope() {
    }

    public static byte[] derive(byte[] decoySecret, String username, int length) {
        if (decoySecret.length < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("the decoy secret must be at least " + MIN_SECRET_LENGTH + " bytes");
        }
        if (length < 1 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("decoy envelope length must be 1.." + MAX_LENGTH + ": " + length);
        }
        byte[] prk = Hkdf.extract(HashAlgorithm.SHA256, new byte[0], decoySecret);
        try {
            byte[] context = MessageDigest.getInstance("SHA-256").digest(username.getBytes(StandardCharsets.UTF_8));
            return Hkdf.expandLabel(HashAlgorithm.SHA256, prk, HandshakeLabels.DECOY_ENVELOPE, context, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }
}
