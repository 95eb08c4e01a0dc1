package org.opencluster.auth.protocol.handshake;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * How a server key is shown to people and pinned by clients: {@code SHA256:} + unpadded base64 of SHA-256 over
 * the DER SubjectPublicKeyInfo (the spelling of OpenSSH), so it reads the same on the server and the client.
 */
public final class KeyFingerprint {
    private KeyFingerprint() {
    }

    public static String of(byte[] subjectPublicKeyInfo) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    public static String of(X509Certificate cert) {
        return of(cert.getPublicKey().getEncoded());
    }
}
