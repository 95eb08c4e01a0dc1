package org.opencluster.auth.protocol.suite;

import java.security.SecureRandom;

/**
 * Ephemeral key agreement in one group. Implementations validate every peer public key before use and refuse
 * outputs that reveal a degenerate peer key (identity, small order, all-zero X25519 result).
 */
public interface KeyExchange {

    KeyExchangeGroup group();

    /** A fresh key pair for one handshake; the caller closes it as soon as the shared secret is derived. */
    EphemeralKeyPair generate(SecureRandom random);

    /**
     * A public key nobody holds the private key of, distributed exactly as {@link #generate}'s public keys are: for
     * a message that must carry a key share of this group whether or not it will be used (a decoy), without paying
     * for a key pair. The default generates one and drops it.
     */
    default byte[] decoyPublicKey(SecureRandom random) {
        try (EphemeralKeyPair pair = generate(random)) {
            return pair.publicKey();
        }
    }

    /**
     * Refuses a peer public key that is not a canonical, valid encoding of a non-identity point of the group
     * ({@link SuiteError#INVALID_PUBLIC_KEY}). {@link EphemeralKeyPair#agree} calls this itself.
     */
    void validatePublicKey(byte[] peerPublicKey) throws SuiteException;

    /** One side's ephemeral key pair. Not thread-safe; single use. */
    interface EphemeralKeyPair extends AutoCloseable {

        KeyExchangeGroup group();

        /** The encoded public key ({@link KeyExchangeGroup#publicKeyLength()} bytes), a fresh copy. */
        byte[] publicKey();

        /**
         * The 32-byte shared secret with {@code peerPublicKey}. The caller owns (and must wipe) the result.
         *
         * @throws SuiteException {@link SuiteError#INVALID_PUBLIC_KEY} or {@link SuiteError#KEY_AGREEMENT_FAILED}
         */
        byte[] agree(byte[] peerPublicKey) throws SuiteException;

        /** Wipes the private key where the implementation holds it in a byte array. */
        @Override
        void close();
    }
}
