package org.opencluster.auth.protocol.suite;

/** Test access to fixed-key X25519MLKEM768 (known answers and worked examples in other packages). */
public final class HybridTestKeys {
    private HybridTestKeys() {
    }

    /** The initiator's pair from {@code seeds} = ML-KEM seed d || z (64) || X25519 private key (32). */
    public static KeyExchange.EphemeralKeyPair initiator(byte[] seeds) {
        return X25519MlKem768KeyExchange.fromSeeds(java.util.Arrays.copyOf(seeds, 64),
                java.util.Arrays.copyOfRange(seeds, 64, 96));
    }

    /** The responder's answer with fixed randomness: FIPS 203 message m (32) and an X25519 private key (32). */
    public static KeyExchange.Response respond(byte[] initiatorShare, byte[] mlkemMessage, byte[] x25519Private)
            throws SuiteException {
        return X25519MlKem768KeyExchange.respondWith(initiatorShare, mlkemMessage, x25519Private);
    }
}
