package org.opencluster.auth.token;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * A credential that can prove possession of a private key without ever handing that key out.
 *
 * <p>Implementations: software keys unlocked from a passphrase envelope, PKCS#11 tokens (SoftHSM2, HSMs, OpenSC),
 * and smartcards. The interface deliberately has no accessor for the private key: callers can only ask the token to
 * perform an operation, so code written against it cannot leak key material of a hardware token by mistake.
 *
 * <p>Encodings (identical for every implementation, so a verifier never needs to know where the key lives):
 * <ul>
 *   <li>ECDSA signatures: ASN.1 DER {@code SEQUENCE { r INTEGER, s INTEGER }}, exactly what Java's
 *       {@code SHA256withECDSA} / {@code SHA384withECDSA} produce and verify.</li>
 *   <li>Ed25519 signatures: the 64-byte RFC 8032 encoding {@code R || S}.</li>
 *   <li>RSA-PSS signatures: the modulus-length octet string of RFC 8017 (salt length = hash length, MGF1 with the
 *       same hash, trailer field 1).</li>
 *   <li>Key agreement output: the raw shared secret (the x-coordinate, left-padded to the field size, for ECDH; the
 *       32-byte u-coordinate for X25519). Run it through a KDF before use.</li>
 * </ul>
 *
 * <p>Instances are not required to be thread-safe for concurrent operations; PKCS#11 implementations serialise
 * internally. {@link #close()} releases the token (logs out, drops the provider) and wipes software key material.
 */
public interface Token extends AutoCloseable {

    /** A stable human-readable name, e.g. {@code "svc-a/login-key"}; never contains secrets. */
    String label();

    /** The certificate chain, leaf first; empty before enrolment. */
    List<X509Certificate> certificateChain();

    /** The public half of the token's key. */
    PublicKey publicKey();

    /** The type of the token's key. */
    KeyType keyType();

    /** What this token's key can do: by default all its key type can (a PIV slot narrows this). */
    default Set<TokenOperation> operations() {
        return keyType().operations();
    }

    /** The signature schemes {@link #sign} accepts for this key (empty when {@link TokenOperation#SIGN} is absent). */
    default Set<SignatureScheme> signatureSchemes() {
        return operations().contains(TokenOperation.SIGN) ? keyType().signatureSchemes()
                : java.util.EnumSet.noneOf(SignatureScheme.class);
    }

    /**
     * Whether an operation may wait on something outside this process's CPU (a device, a driver, a network HSM).
     * A server runs operations that cannot wait on its I/O threads, as a TLS stack does its handshake arithmetic,
     * and hands the others to worker threads. Unknown implementations are assumed to wait.
     */
    default boolean operationsMayBlock() {
        return true;
    }

    /**
     * Signs {@code message} (the token hashes it as the scheme prescribes; pass a transcript hash as the message
     * when signing a transcript).
     *
     * @throws TokenException {@link TokenError#MECHANISM_UNSUPPORTED} when the key or token cannot use the scheme
     */
    byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException;

    /**
     * Key agreement (ECDH on the token's curve, or X25519) with a peer public key of the same type.
     *
     * @return the raw shared secret; the caller owns and must wipe it
     */
    byte[] agree(PublicKey peerPublicKey) throws TokenException;

    /**
     * Decrypts a ciphertext addressed to the token's key.
     *
     * @return the plaintext; the caller owns and must wipe it
     * @throws TokenException {@link TokenError#DECRYPTION_FAILED} for any malformed or foreign ciphertext (one
     *                        indistinguishable error, so the token is no padding oracle)
     */
    byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException;

    @Override
    void close();
}
