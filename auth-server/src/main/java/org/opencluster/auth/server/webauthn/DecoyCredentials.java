package org.opencluster.auth.server.webauthn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * Credential ids for names that have no usable security key (unknown names, people without keys, services): one
 * id per name, stable across requests like a real one, 64 bytes like a YubiKey's, derived from the server's decoy
 * secret so that only the server can tell it from a real id.
 * <pre>
 *   prk = HKDF-Extract(SHA-256, salt = 0^32, IKM = decoy_secret)
 *   id  = HKDF-Expand-Label(prk, "webauthn decoy id", SHA-256(UTF-8(username)), 64)
 * </pre>
 */
final class DecoyCredentials implements AutoCloseable {
    static final int ID_LENGTH = 64;
    static final String LABEL = "webauthn decoy id";

    private final byte[] prk;

    DecoyCredentials(byte[] decoySecret) {
        this.prk = Hkdf.extract(HashAlgorithm.SHA256, new byte[32], decoySecret);
    }

    byte[] idFor(String username) {
        return idFor(username, 0);
    }

    /**
     * Decoy id number {@code index} of a name: index 0 as above, index i > 0 with the context
     * {@code SHA-256(UTF-8(username)) || u8 i}, so a list filled up with decoys is stable per name too.
     */
    byte[] idFor(String username, int index) {
        if (index < 0 || index > 255) {
            throw new IllegalArgumentException("decoy index 0..255");
        }
        try {
            byte[] nameHash = MessageDigest.getInstance("SHA-256").digest(username.getBytes(StandardCharsets.UTF_8));
            byte[] context = index == 0 ? nameHash : Arrays.copyOf(nameHash, nameHash.length + 1);
            if (index > 0) {
                context[nameHash.length] = (byte) index;
            }
            return Hkdf.expandLabel(HashAlgorithm.SHA256, prk, LABEL, context, ID_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Arrays.fill(prk, (byte) 0);
    }
}
