package org.opencluster.auth.protocol.suite;

import java.security.SecureRandom;

/**
 * Ephemeral key agreement in one group. Implementations validate every peer share before use and refuse outputs
 * that reveal a degenerate peer key (identity, small order, all-zero X25519 result, an ML-KEM encapsulation key
 * that fails FIPS 203's modulus check).
 *
 * <p>One side (the initiator) {@link #generate}s a key pair and sends its public key; the other {@link #respond}s
 * to that share with its own share and the shared secret; the initiator {@link EphemeralKeyPair#agree}s with the
 * responder's share. For a Diffie-Hellman group respond is generate + agree; for a KEM it is encapsulation.
 */
public interface KeyExchange {

    KeyExchangeGroup group();

    /** A fresh key pair for one handshake; the caller closes it as soon as the shared secret is derived. */
    EphemeralKeyPair generate(SecureRandom random);

    /**
     * The responder's side: its share for {@code initiatorShare} and the shared secret, both owned by the caller
     * (who wipes the secret via {@link Response#close()}).
     *
     * @throws SuiteException {@link SuiteError#INVALID_PUBLIC_KEY} or {@link SuiteError#KEY_AGREEMENT_FAILED}
     */
    default Response respond(byte[] initiatorShare, SecureRandom random) throws SuiteException {
        validatePublicKey(initiatorShare);
        try (EphemeralKeyPair mine = generate(random)) {
            byte[] secret = mine.agree(initiatorShare);
            return new Response(mine.publicKey(), secret);
        }
    }

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
     * Refuses an initiator share (a public key) that is not a canonical, valid encoding for the group
     * ({@link SuiteError#INVALID_PUBLIC_KEY}). {@link EphemeralKeyPair#agree} and {@link #respond} call this
     * themselves.
     */
    void validatePublicKey(byte[] peerPublicKey) throws SuiteException;

    /** One side's ephemeral key pair. Not thread-safe; single use. */
    interface EphemeralKeyPair extends AutoCloseable {

        KeyExchangeGroup group();

        /** The encoded public key, the initiator share ({@link KeyExchangeGroup#initiatorShareLength()} bytes). */
        byte[] publicKey();

        /**
         * The shared secret ({@link KeyExchangeGroup#sharedSecretLength()} bytes) with the responder's share
         * {@code peerPublicKey}. The caller owns (and must wipe) the result.
         *
         * @throws SuiteException {@link SuiteError#INVALID_PUBLIC_KEY} or {@link SuiteError#KEY_AGREEMENT_FAILED}
         */
        byte[] agree(byte[] peerPublicKey) throws SuiteException;

        /** Wipes the private key where the implementation holds it in a byte array. */
        @Override
        void close();
    }

    /** The responder's share and the shared secret; {@link #close()} wipes the secret. */
    record Response(byte[] share, byte[] sharedSecret) implements AutoCloseable {
        @Override
        public void close() {
            java.util.Arrays.fill(sharedSecret, (byte) 0);
        }
    }
}
