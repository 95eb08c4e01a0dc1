package org.opencluster.auth.server.login;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;

/**
 * Public keys whose private keys nobody keeps, one per signature scheme: a signature proof from an unknown user is
 * verified against the one its scheme names, so refusing it costs the same work as refusing a wrong proof from a
 * known user (docs/PROTOCOL.md 5.5.2). They never verify anything: the private halves are dropped at once, and the
 * RSA "modulus" is a random odd number, on which verification costs what it costs on a real one.
 */
final class DecoyVerifyingKeys {
    private static final PublicKey P256 = ec("secp256r1");
    private static final PublicKey P384 = ec("secp384r1");
    private static final PublicKey ED25519 = ed25519();
    private static final PublicKey RSA = rsa();

    private DecoyVerifyingKeys() {
    }

    static PublicKey forScheme(SignatureAlgorithm scheme) {
        switch (scheme) {
            case ECDSA_P384_SHA384:
                return P384;
            case ED25519:
                return ED25519;
            case RSA_PSS_SHA256:
            case RSA_PSS_SHA384:
                return RSA;
            default:
                return P256;
        }
    }

    private static PublicKey ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + curve, e);
        }
    }

    private static PublicKey ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    }

    private static PublicKey rsa() {
        BigInteger n = new BigInteger(3072, new SecureRandom()).setBit(3071).setBit(0);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, BigInteger.valueOf(65537)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks RSA", e);
        }
    }
}
