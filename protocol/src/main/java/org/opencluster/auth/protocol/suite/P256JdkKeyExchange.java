package org.opencluster.auth.protocol.suite;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** P-256 ECDH with the JDK's SunEC provider (kept for comparison and as a fallback; see {@link KeyExchanges}). */
final class P256JdkKeyExchange implements KeyExchange {
    private final ECParameterSpec params;

    P256JdkKeyExchange() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            params = ((ECPublicKey) gen.generateKeyPair().getPublic()).getParams();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no secp256r1 support", e);
        }
    }

    @Override
    public KeyExchangeGroup group() {
        return KeyExchangeGroup.P256;
    }

    @Override
    public EphemeralKeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(params, random);
            return new Pair(gen.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secp256r1 key generation failed", e);
        }
    }

    @Override
    public void validatePublicKey(byte[] peer) throws SuiteException {
        P256Points.decodeValidated(peer);
    }

    private PublicKey decode(byte[] peer) throws SuiteException {
        BigInteger[] xy = P256Points.decodeValidated(peer);
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(xy[0], xy[1]), params));
        } catch (GeneralSecurityException e) {
            throw new SuiteException(SuiteError.INVALID_PUBLIC_KEY, "P-256 public key refused by the JDK", e);
        }
    }

    private final class Pair implements EphemeralKeyPair {
        private KeyPair keyPair;

        Pair(KeyPair keyPair) {
            this.keyPair = keyPair;
        }

        @Override
        public KeyExchangeGroup group() {
            return KeyExchangeGroup.P256;
        }

        @Override
        public byte[] publicKey() {
            ECPoint w = ((ECPublicKey) keyPair.getPublic()).getW();
            byte[] out = new byte[P256Points.LENGTH];
            out[0] = 0x04;
            System.arraycopy(P256Points.toFixed(w.getAffineX()), 0, out, 1, 32);
            System.arraycopy(P256Points.toFixed(w.getAffineY()), 0, out, 33, 32);
            return out;
        }

        @Override
        public byte[] agree(byte[] peer) throws SuiteException {
            if (keyPair == null) {
                throw new IllegalStateException("ephemeral key pair already closed");
            }
            PublicKey peerKey = decode(peer);
            try {
                KeyAgreement ka = KeyAgreement.getInstance("ECDH");
                ka.init(keyPair.getPrivate());
                ka.doPhase(peerKey, true);
                return ka.generateSecret();
            } catch (GeneralSecurityException e) {
                throw new SuiteException(SuiteError.KEY_AGREEMENT_FAILED, "P-256 agreement failed", e);
            }
        }

        @Override
        public void close() {
            keyPair = null;
        }
    }
}
