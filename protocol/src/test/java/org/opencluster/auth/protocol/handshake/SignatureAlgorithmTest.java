package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Verification against signatures made by the JDK (SunEC, SunRsaSign), including keys seen before (cached). */
class SignatureAlgorithmTest {
    private static final byte[] MESSAGE = "OpenCluster Auth, server CertificateVerify input".getBytes();

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    private static byte[] sign(String alg, PrivateKey key, byte[] message) throws Exception {
        Signature s = Signature.getInstance(alg);
        if (alg.equals("RSASSA-PSS")) {
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    private static byte[] flipped(byte[] b, int index) {
        byte[] c = b.clone();
        c[index] ^= 0x01;
        return c;
    }

    @Test
    void ecdsaP256VerifiesJdkSignaturesAgainAndAgainAndRefusesAnyChange() throws Exception {
        KeyPair kp = ec("secp256r1");
        for (int i = 0; i < 3; i++) { // the second and third use the cached key
            byte[] message = Arrays.copyOf(MESSAGE, MESSAGE.length + i);
            byte[] sig = sign("SHA256withECDSA", kp.getPrivate(), message);
            assertTrue(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), message, sig));
            assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), flipped(message, 0), sig));
            assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), message,
                    flipped(sig, sig.length - 1)));
        }
    }

    @Test
    void ecdsaP384VerifiesAndTheSchemeFixesTheCurve() throws Exception {
        KeyPair p384 = ec("secp384r1");
        byte[] sig384 = sign("SHA384withECDSA", p384.getPrivate(), MESSAGE);
        assertTrue(SignatureAlgorithm.ECDSA_P384_SHA384.verify(p384.getPublic(), MESSAGE, sig384));
        // A P-384 key with SHA-256 is a valid JCA signature, but not the scheme ECDSA_P256_SHA256 names.
        byte[] sha256OnP384 = sign("SHA256withECDSA", p384.getPrivate(), MESSAGE);
        assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(p384.getPublic(), MESSAGE, sha256OnP384));
        KeyPair p256 = ec("secp256r1");
        byte[] sha384OnP256 = sign("SHA384withECDSA", p256.getPrivate(), MESSAGE);
        assertFalse(SignatureAlgorithm.ECDSA_P384_SHA384.verify(p256.getPublic(), MESSAGE, sha384OnP256));
    }

    @Test
    void ecdsaRefusesNonDerAndOutOfRangeSignatures() throws Exception {
        KeyPair kp = ec("secp256r1");
        byte[] der = sign("SHA256withECDSA", kp.getPrivate(), MESSAGE);
        assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), MESSAGE, new byte[64]));
        assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), MESSAGE, new byte[0]));
        byte[] trailing = Arrays.copyOf(der, der.length + 1);
        assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), MESSAGE, trailing));
        byte[] zeroR = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01};
        assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), MESSAGE, zeroR));
    }

    @Test
    void ed25519VerifiesAndRefusesWrongLengthsAndOtherKeyTypes() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] sig = sign("Ed25519", kp.getPrivate(), MESSAGE);
        assertTrue(SignatureAlgorithm.ED25519.verify(kp.getPublic(), MESSAGE, sig));
        assertTrue(SignatureAlgorithm.ED25519.verify(kp.getPublic(), MESSAGE, sig));
        assertFalse(SignatureAlgorithm.ED25519.verify(kp.getPublic(), flipped(MESSAGE, 3), sig));
        assertFalse(SignatureAlgorithm.ED25519.verify(kp.getPublic(), MESSAGE, Arrays.copyOf(sig, 63)));
        assertFalse(SignatureAlgorithm.ED25519.verify(kp.getPublic(), MESSAGE, Arrays.copyOf(sig, 65)));
        KeyPair p256 = ec("secp256r1");
        assertFalse(SignatureAlgorithm.ED25519.verify(p256.getPublic(), MESSAGE, sig));
        assertFalse(SignatureAlgorithm.ECDSA_P256_SHA256.verify(kp.getPublic(), MESSAGE,
                sign("SHA256withECDSA", p256.getPrivate(), MESSAGE)));
    }

    @Test
    void rsaPssStaysWithTheJdk() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        byte[] sig = sign("RSASSA-PSS", kp.getPrivate(), MESSAGE);
        assertTrue(SignatureAlgorithm.RSA_PSS_SHA256.verify(kp.getPublic(), MESSAGE, sig));
        assertFalse(SignatureAlgorithm.RSA_PSS_SHA256.verify(kp.getPublic(), flipped(MESSAGE, 1), sig));
        assertFalse(SignatureAlgorithm.ED25519.verify(kp.getPublic(), MESSAGE, sig));
    }

    @Test
    void theDecodedKeyCacheIsBoundedAndEveryKeyStillVerifies() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        int keys = VerifyingKeys.MAX_KEYS + 40;
        for (int i = 0; i < keys; i++) {
            KeyPair kp = g.generateKeyPair();
            byte[] sig = sign("Ed25519", kp.getPrivate(), MESSAGE);
            assertTrue(SignatureAlgorithm.ED25519.verify(kp.getPublic(), MESSAGE, sig), "key " + i);
        }
        assertEquals(VerifyingKeys.MAX_KEYS, VerifyingKeys.cachedKeys());
    }
}
