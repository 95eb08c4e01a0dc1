package org.opencluster.auth.protocol.suite;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * RFC 7748 X25519 with the Bouncy Castle lightweight implementation (chosen by measurement, see
 * {@link KeyExchanges}). Peer keys must be canonical (u &lt; 2^255-19, top bit clear): our own peers always
 * encode that way, so anything else is refused rather than reduced. Small-order peer keys are caught by the
 * all-zero check on the output (RFC 7748, section 6.1).
 */
final class X25519KeyExchange implements KeyExchange {
    private static final int LENGTH = 32;

    @Override
    public KeyExchangeGroup group() {
        return KeyExchangeGroup.X25519;
    }

    @Override
    public EphemeralKeyPair generate(SecureRandom random) {
        byte[] priv = new byte[LENGTH];
        X25519.generatePrivateKey(random, priv);
        byte[] pub = new byte[LENGTH];
        X25519.generatePublicKey(priv, 0, pub, 0);
        return new Pair(priv, pub);
    }

    /** A pair from a fixed private key: known-answer tests and the worked example only. */
    static EphemeralKeyPair fromPrivateKey(byte[] privateKey) {
        byte[] priv = privateKey.clone();
        byte[] pub = new byte[LENGTH];
        X25519.generatePublicKey(priv, 0, pub, 0);
        return new Pair(priv, pub);
    }

    @Override
    public void validatePublicKey(byte[] peer) throws SuiteException {
        if (peer == null || peer.length != LENGTH) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "an X25519 public key is 32 bytes, got "
                    + (peer == null ? "none" : peer.length + " bytes"));
        }
        if (!isCanonical(peer)) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY,
                    "X25519 public key is not canonically encoded (u >= 2^255-19 or top bit set)");
        }
    }

    /** u (little-endian) &lt; p = 2^255 - 19, i.e. not in [p, 2^256). Public data: no need for constant time. */
    static boolean isCanonical(byte[] u) {
        if ((u[31] & 0x80) != 0) {
            return false;
        }
        if (u[31] != 0x7f) {
            return true;
        }
        for (int i = 30; i >= 1; i--) {
            if (u[i] != (byte) 0xff) {
                return true;
            }
        }
        return (u[0] & 0xff) < 0xed;
    }

    private static final class Pair implements EphemeralKeyPair {
        private final byte[] priv;
        private final byte[] pub;
        private boolean closed;

        Pair(byte[] priv, byte[] pub) {
            this.priv = priv;
            this.pub = pub;
        }

        @Override
        public KeyExchangeGroup group() {
            return KeyExchangeGroup.X25519;
        }

        @Override
        public byte[] publicKey() {
            return pub.clone();
        }

        @Override
        public byte[] agree(byte[] peer) throws SuiteException {
            if (closed) {
                throw new IllegalStateException("ephemeral key pair already closed");
            }
            new X25519KeyExchange().validatePublicKey(peer);
            byte[] shared = new byte[LENGTH];
            boolean nonZero = X25519.calculateAgreement(priv, 0, peer, 0, shared, 0);
            int acc = 0;
            for (byte b : shared) {
                acc |= b;
            }
            if (!nonZero || acc == 0) {
                Arrays.fill(shared, (byte) 0);
                throw new SuiteException(SuiteError.KEY_AGREEMENT_FAILED,
                        "X25519 result is all zero: the peer sent a small-order public key");
            }
            return shared;
        }

        @Override
        public void close() {
            closed = true;
            Arrays.fill(priv, (byte) 0);
        }
    }
}
