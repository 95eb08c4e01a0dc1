package org.opencluster.auth.protocol.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.Hkdf;

/**
 * Proof of possession of a derive-only key at enrolment (docs/PROTOCOL.md section 8.1), for keys that cannot sign
 * their own certification request, such as a PIV key-management (9D) key:
 * <pre>
 *   Z     = ECDH(new private key, server's enrolment ephemeral)
 *   key   = HKDF-Expand-Label(HKDF-Extract(salt = code_hash, IKM = Z), "enrol ka pop", "", 32)     SHA-256
 *   PROOF = HMAC-SHA256(key, SHA-256(SubjectPublicKeyInfo) || UTF-8(username))
 * </pre>
 * The ephemeral is fresh per enrolment session and the one-time code's hash keys the proof, so it binds this
 * session, this key and this name.
 */
public final class KeyAgreementPossession {
    public static final String LABEL = "enrol ka pop";
    public static final int LENGTH = 32;

    private KeyAgreementPossession() {
    }

    public static byte[] proof(byte[] codeHash, byte[] z, byte[] spki, String username) {
        byte[] prk = Hkdf.extract(HashAlgorithm.SHA256, codeHash, z);
        byte[] key = Hkdf.expandLabel(HashAlgorithm.SHA256, prk, LABEL, new byte[0], LENGTH);
        try {
            byte[] spkiHash = MessageDigest.getInstance("SHA-256").digest(spki);
            byte[] name = username.getBytes(StandardCharsets.UTF_8);
            byte[] data = Arrays.copyOf(spkiHash, spkiHash.length + name.length);
            System.arraycopy(name, 0, data, spkiHash.length, name.length);
            return Hkdf.hmac(HashAlgorithm.SHA256, key, data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        } finally {
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Constant-time check. */
    public static boolean verify(byte[] codeHash, byte[] z, byte[] spki, String username, byte[] received) {
        byte[] expected = proof(codeHash, z, spki, username);
        try {
            return received != null && MessageDigest.isEqual(expected, received);
        } finally {
            Arrays.fill(expected, (byte) 0);
        }
    }
}
