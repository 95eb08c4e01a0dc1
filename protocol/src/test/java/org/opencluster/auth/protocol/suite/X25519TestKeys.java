package org.opencluster.auth.protocol.suite;

/** Test access to fixed-key X25519 (worked examples in other packages). */
public final class X25519TestKeys {
    private X25519TestKeys() {
    }

    public static byte[] agree(byte[] privateKey, byte[] peerPublic) throws SuiteException {
        try (KeyExchange.EphemeralKeyPair p = X25519KeyExchange.fromPrivateKey(privateKey)) {
            return p.agree(peerPublic);
        }
    }
}
