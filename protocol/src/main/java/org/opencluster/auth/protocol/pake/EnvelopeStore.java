package org.opencluster.auth.protocol.pake;

import static org.opencluster.auth.protocol.pake.OpaqueP256.NH;
import static org.opencluster.auth.protocol.pake.OpaqueP256.NSEED;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Envelope creation and recovery (RFC 9807, 4.1.2 and 4.1.3), keyed by the randomized password. The client key
 * pair is not stored: it is derived from the envelope nonce and the randomized password.
 */
final class EnvelopeStore {
    private static final byte[] MASKING_KEY = OpaqueP256.ascii("MaskingKey");
    private static final byte[] AUTH_KEY = OpaqueP256.ascii("AuthKey");
    private static final byte[] EXPORT_KEY = OpaqueP256.ascii("ExportKey");
    private static final byte[] PRIVATE_KEY = OpaqueP256.ascii("PrivateKey");

    private EnvelopeStore() {
    }

    /** Store: the record (with the masking key) and the export key. */
    static FinalizedRegistration store(byte[] randomizedPassword, byte[] envelopeNonce, byte[] serverPublicKey,
            byte[] serverIdentity, byte[] clientIdentity) throws PakeException {
        byte[] maskingKey = maskingKey(randomizedPassword);
        Opened opened = open(randomizedPassword, envelopeNonce, serverPublicKey, serverIdentity, clientIdentity);
        RegistrationRecord record = new RegistrationRecord(opened.keyPair.serializedPublicKey(), maskingKey,
                new Envelope(envelopeNonce, opened.expectedTag));
        Arrays.fill(maskingKey, (byte) 0);
        return new FinalizedRegistration(record, opened.exportKey);
    }

    /** Recover: the credentials when the envelope's tag verifies (compared in constant time), else refused. */
    static RecoveredCredentials recover(byte[] randomizedPassword, byte[] serverPublicKey, Envelope envelope,
            byte[] serverIdentity, byte[] clientIdentity) throws PakeException {
        Opened opened = open(randomizedPassword, envelope.nonce(), serverPublicKey, serverIdentity, clientIdentity);
        if (!MessageDigest.isEqual(opened.expectedTag, envelope.authTag())) {
            Arrays.fill(opened.exportKey, (byte) 0);
            throw new PakeException(PakeError.ENVELOPE_RECOVERY,
                    "the envelope does not open: wrong password, or not this server's record");
        }
        return new RecoveredCredentials(opened.keyPair, opened.credentials, opened.exportKey);
    }

    /** Expand(randomized_password, "MaskingKey", Nh). */
    static byte[] maskingKey(byte[] randomizedPassword) {
        return OpaqueP256.expand(randomizedPassword, MASKING_KEY, NH);
    }

    /** The derivations Store and Recover share, for one envelope nonce. */
    private static Opened open(byte[] randomizedPassword, byte[] nonce, byte[] serverPublicKey,
            byte[] serverIdentity, byte[] clientIdentity) throws PakeException {
        byte[] exportKey = OpaqueP256.expand(randomizedPassword, Oprf.concat(nonce, EXPORT_KEY), NH);
        byte[] seed = OpaqueP256.expand(randomizedPassword, Oprf.concat(nonce, PRIVATE_KEY), NSEED);
        try {
            OprfKeyPair keyPair = OpaqueP256.deriveDiffieHellmanKeyPair(seed);
            CleartextCredentials credentials = CleartextCredentials.create(serverPublicKey,
                    keyPair.serializedPublicKey(), serverIdentity, clientIdentity);
            return new Opened(keyPair, credentials, authTag(randomizedPassword, nonce, credentials), exportKey);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * auth_tag = MAC(Expand(randomized_password, nonce || "AuthKey", Nh), nonce || cleartext_credentials). Apart
     * from {@link #open} so a test fixture that keeps one envelope nonce (hence one client key pair) can tag other
     * credentials without deriving the key pair again.
     */
    static byte[] authTag(byte[] randomizedPassword, byte[] nonce, CleartextCredentials credentials) {
        byte[] authKey = OpaqueP256.expand(randomizedPassword, Oprf.concat(nonce, AUTH_KEY), NH);
        try {
            return OpaqueP256.mac(authKey, Oprf.concat(nonce, credentials.serialize()));
        } finally {
            Arrays.fill(authKey, (byte) 0);
        }
    }

    private record Opened(OprfKeyPair keyPair, CleartextCredentials credentials, byte[] expectedTag,
            byte[] exportKey) {
    }
}
