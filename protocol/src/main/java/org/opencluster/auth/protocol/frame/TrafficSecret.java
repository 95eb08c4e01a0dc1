package org.opencluster.auth.protocol.frame;

import java.util.Arrays;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * The secret of one direction of one epoch, and what follows from it (docs/PROTOCOL.md, section 5.4.3):
 * <pre>
 *   key  = HKDF-Expand-Label(secret, "key", "", AEAD key length)     (32 for both AEADs of version 1)
 *   iv   = HKDF-Expand-Label(secret, "iv",  "", AEAD nonce length)   (12)
 *   next = HKDF-Expand-Label(secret, "key update", "", Hash.length)
 * </pre>
 * Owns a copy of the secret; {@link #close()} wipes it.
 */
public final class TrafficSecret implements AutoCloseable {
    public static final String LABEL_KEY = "key";
    public static final String LABEL_IV = "iv";
    public static final String LABEL_KEY_UPDATE = "key update";

    private final CipherSuite suite;
    private final byte[] secret;

    public TrafficSecret(CipherSuite suite, byte[] secret) {
        if (secret.length != suite.hash().length()) {
            throw new IllegalArgumentException("a " + suite.name() + " traffic secret is " + suite.hash().length()
                    + " bytes, got " + secret.length);
        }
        this.suite = suite;
        this.secret = secret.clone();
    }

    public CipherSuite suite() {
        return suite;
    }

    /** The secret of the next epoch (a new object; this one stays valid until closed). */
    public TrafficSecret next() {
        byte[] n = Hkdf.expandLabel(suite.hash(), secret, LABEL_KEY_UPDATE, new byte[0], suite.hash().length());
        try {
            return new TrafficSecret(suite, n);
        } finally {
            Arrays.fill(n, (byte) 0);
        }
    }

    /** AEAD key of this epoch; the caller wipes it. */
    public byte[] key() {
        return Hkdf.expandLabel(suite.hash(), secret, LABEL_KEY, new byte[0], suite.aead().keyLength());
    }

    /** Static IV of this epoch; the caller wipes it. */
    public byte[] iv() {
        return Hkdf.expandLabel(suite.hash(), secret, LABEL_IV, new byte[0], suite.aead().nonceLength());
    }

    /** A copy of the raw secret (for the worked example and tests). */
    public byte[] secretBytes() {
        return secret.clone();
    }

    @Override
    public void close() {
        Arrays.fill(secret, (byte) 0);
    }

    @Override
    public String toString() {
        return "TrafficSecret{" + suite.name() + ", <redacted>}";
    }
}
