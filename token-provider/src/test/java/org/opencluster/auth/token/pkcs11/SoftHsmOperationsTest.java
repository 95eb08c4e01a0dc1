package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TestCertificates;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/** Sign, ECDH, PSS, OAEP, on-token key generation and enrolment against real SoftHSM2 through SunPKCS11. */
class SoftHsmOperationsTest {
    private static final String PIN = "1234";
    private static SoftHsmFixture hsm;
    private static Pkcs11Connection connection;
    private static Pkcs11Token p256;
    private static Pkcs11Token p384;
    private static Pkcs11Token rsa;
    private static SoftwareToken ca;

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(SoftHsmOperationsTest.class);
        hsm.initToken("ops", SoftHsmSupport.SO_PIN, PIN);
        Path pinFile = Files.writeString(hsm.tokenDir().resolveSibling("pin"), PIN + "\n");
        connection = Pkcs11Tokens.builder().build()
                .connect(SoftHsmSupport.uri(hsm, "token=ops", "file:" + pinFile));
        p256 = connection.generateKeyPair(KeyType.EC_P256, "ec256");
        p384 = connection.generateKeyPair(KeyType.EC_P384, "ec384");
        rsa = connection.generateKeyPair(KeyType.RSA_3072, "rsa3072");
        ca = SoftwareToken.fromPkcs8("test-ca", SoftwareKeys.generatePkcs8(KeyType.EC_P256, new SecureRandom()),
                List.of());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (hsm != null) {
            hsm.close();
        }
    }

    @Test
    void ecdsaP256AndP384SignaturesVerifyWithBouncyCastle() throws Exception {
        byte[] message = "transcript".getBytes();
        for (Object[] c : new Object[][] {{p256, SignatureScheme.ECDSA_P256_SHA256},
                {p384, SignatureScheme.ECDSA_P384_SHA384}}) {
            Pkcs11Token t = (Pkcs11Token) c[0];
            SignatureScheme s = (SignatureScheme) c[1];
            byte[] sig = t.sign(s, message);
            assertTrue(SoftHsmSupport.verify(s, t.publicKey(), message, sig), s.toString());
            assertFalse(SoftHsmSupport.verify(s, t.publicKey(), "other".getBytes(), sig));
            // second signature through the cached Signature object is also valid
            assertTrue(SoftHsmSupport.verify(s, t.publicKey(), message, t.sign(s, message)));
        }
    }

    @Test
    void rsaPssSignaturesVerifyWithBouncyCastle() throws Exception {
        byte[] message = "transcript".getBytes();
        for (SignatureScheme s : List.of(SignatureScheme.RSA_PSS_SHA256, SignatureScheme.RSA_PSS_SHA384)) {
            byte[] sig = rsa.sign(s, message);
            assertEquals(384, sig.length);
            assertTrue(SoftHsmSupport.verify(s, rsa.publicKey(), message, sig), s.toString());
        }
    }

    @Test
    void ecdhOnTheTokenMatchesBouncyCastle() throws Exception {
        for (Object[] c : new Object[][] {{p256, "secp256r1", 32}, {p384, "secp384r1", 48}}) {
            Pkcs11Token t = (Pkcs11Token) c[0];
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", SoftHsmSupport.BC);
            g.initialize(new ECGenParameterSpec((String) c[1]));
            KeyPair peer = g.generateKeyPair();
            byte[] onToken = t.agree(peer.getPublic());
            KeyAgreement ka = KeyAgreement.getInstance("ECDH", SoftHsmSupport.BC);
            ka.init(peer.getPrivate());
            ka.doPhase(t.publicKey(), true);
            assertArrayEquals(ka.generateSecret(), onToken);
            assertEquals(c[2], onToken.length);
        }
        KeyPairGenerator other = KeyPairGenerator.getInstance("EC");
        other.initialize(new ECGenParameterSpec("secp384r1"));
        assertEquals(TokenError.INVALID_PEER_KEY, assertThrows(TokenException.class,
                () -> p256.agree(other.generateKeyPair().getPublic())).error());
    }

    @Test
    void rsaOaepDecryptsBouncyCastleCiphertextAndFailsUniformly() throws Exception {
        Cipher enc = Cipher.getInstance("RSA/NONE/OAEPWithSHA256AndMGF1Padding", SoftHsmSupport.BC);
        enc.init(Cipher.ENCRYPT_MODE, rsa.publicKey());
        byte[] code = new byte[32];
        new SecureRandom().nextBytes(code);
        byte[] ct = enc.doFinal(code);
        assertArrayEquals(code, rsa.decrypt(EncryptionScheme.RSA_OAEP_SHA256, ct));
        byte[] tampered = ct.clone();
        tampered[100] ^= 4;
        assertEquals(TokenError.DECRYPTION_FAILED, assertThrows(TokenException.class,
                () -> rsa.decrypt(EncryptionScheme.RSA_OAEP_SHA256, tampered)).error());
        assertEquals(TokenError.DECRYPTION_FAILED, assertThrows(TokenException.class,
                () -> rsa.decrypt(EncryptionScheme.RSA_OAEP_SHA256, new byte[10])).error());
        byte[] aboveModulus = new byte[384];
        java.util.Arrays.fill(aboveModulus, (byte) 0xff);
        assertEquals(TokenError.DECRYPTION_FAILED, assertThrows(TokenException.class,
                () -> rsa.decrypt(EncryptionScheme.RSA_OAEP_SHA256, aboveModulus)).error());
        // the token still works after the failures
        assertArrayEquals(code, rsa.decrypt(EncryptionScheme.RSA_OAEP_SHA256, ct));
    }

    @Test
    void operationsTheKeyCannotDoAreRefused() {
        assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                () -> p256.decrypt(EncryptionScheme.RSA_OAEP_SHA256, new byte[384])).error());
        assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                () -> rsa.agree(p256.publicKey())).error());
        assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                () -> p256.sign(SignatureScheme.RSA_PSS_SHA256, new byte[1])).error());
        assertEquals(TokenError.MECHANISM_UNSUPPORTED, assertThrows(TokenException.class,
                () -> connection.generateKeyPair(KeyType.ED25519, "ed")).error());
    }

    @Test
    void noPublicMethodHandsOutAPrivateKey() {
        for (Class<?> type : List.of(Token.class, Pkcs11Token.class, Pkcs11Connection.class, Pkcs11Tokens.class)) {
            for (Method m : type.getMethods()) {
                if (Modifier.isPublic(m.getModifiers())) {
                    assertFalse(Key.class.isAssignableFrom(m.getReturnType())
                                    && !java.security.PublicKey.class.isAssignableFrom(m.getReturnType()),
                            type.getSimpleName() + "." + m.getName() + " returns " + m.getReturnType());
                    assertFalse(java.security.Provider.class.isAssignableFrom(m.getReturnType()),
                            type.getSimpleName() + "." + m.getName() + " exposes the provider");
                }
            }
        }
    }

    @Test
    void generatedKeysAreSensitiveAndNotExtractable() throws Exception {
        String objects = hsm.pkcs11Tool("--token-label", "ops", "--login", "--pin", PIN, "--list-objects",
                "--type", "privkey");
        assertTrue(objects.contains("never extractable"), objects);
        assertFalse(objects.replace("never extractable", "").contains("extractable"), objects);
        assertTrue(objects.contains("sensitive"), objects);
    }

    /**
     * Issue 14 item 3: a server secret sealed by the token's AES-256-GCM wrap key opens only unchanged and with the
     * same associated data; each seal has a fresh nonce; the wrap key is a sensitive, never extractable token
     * object, and not one of the keys {@code keyLabels} lists (a URI without an object picks the only listed key).
     */
    @Test
    void secretsSealedByTheTokensWrapKeyOpenOnlyUnchangedAndTheKeyNeverLeaves() throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] aad = "oprf.secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] sealed = connection.sealSecret(secret, aad, random);
        assertEquals(Pkcs11Connection.SEAL_NONCE_BYTES + secret.length + Pkcs11Connection.SEAL_TAG_BYTES,
                sealed.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(secret, connection.openSecret(sealed, aad));
        assertFalse(java.util.Arrays.equals(sealed, connection.sealSecret(secret, aad, random)), "a fresh nonce");
        byte[] changed = sealed.clone();
        changed[Pkcs11Connection.SEAL_NONCE_BYTES + 3] ^= 1;
        assertThrows(TokenException.class, () -> connection.openSecret(changed, aad));
        assertThrows(TokenException.class, () -> connection.openSecret(sealed,
                "decoy.secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertFalse(connection.keyLabels().contains(Pkcs11Connection.SECRET_WRAP_LABEL), connection.keyLabels()
                .toString());
        String objects = hsm.pkcs11Tool("--token-label", "ops", "--login", "--pin", PIN, "--list-objects",
                "--type", "secrkey");
        assertTrue(objects.contains(Pkcs11Connection.SECRET_WRAP_LABEL), objects);
        assertTrue(objects.contains("never extractable") && objects.contains("sensitive"), objects);
        assertFalse(objects.replace("never extractable", "").contains("extractable"), objects);
    }

    @Test
    void csrSignedOnTheTokenThenIssuedCertificateIsStoredAndFoundAgain() throws Exception {
        Pkcs11Token fresh = connection.generateKeyPair(KeyType.EC_P256, "enrol-me");
        PKCS10CertificationRequest csr = Enrolment.csr(fresh, new X500Name("CN=svc-a"),
                SignatureScheme.ECDSA_P256_SHA256);
        assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(SoftHsmSupport.BC)
                .build(csr.getSubjectPublicKeyInfo())));
        X509Certificate issued = TestCertificates.issue(ca, SignatureScheme.ECDSA_P256_SHA256, "svc-a",
                fresh.publicKey());
        X509Certificate caCert = TestCertificates.issue(ca, SignatureScheme.ECDSA_P256_SHA256, "test-ca",
                ca.publicKey());
        connection.storeCertificateChain("enrol-me", List.of(issued, caCert));

        X509Certificate unrelated = TestCertificates.issue(ca, SignatureScheme.ECDSA_P256_SHA256, "x",
                p384.publicKey());
        assertEquals(TokenError.CERTIFICATE_NOT_FOUND, assertThrows(TokenException.class,
                () -> connection.storeCertificateChain("enrol-me", List.of(unrelated))).error());

        try (Pkcs11Token again = connection.token("enrol-me")) {
            assertEquals(issued, again.certificateChain().get(0));
            byte[] sig = again.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[] {7});
            issued.verify(caCert.getPublicKey());
            java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
            v.initVerify(issued);
            v.update(new byte[] {7});
            assertTrue(v.verify(sig));
        }
        assertTrue(connection.keyLabels().contains("enrol-me"));
        assertEquals(TokenError.KEY_NOT_FOUND, assertThrows(TokenException.class,
                () -> connection.token("no-such-key")).error());
    }

    @Test
    void closedTokenRefusesWork() throws Exception {
        Pkcs11Token t = connection.token("ec256");
        t.close();
        assertEquals(TokenError.TOKEN_CLOSED, assertThrows(TokenException.class,
                () -> t.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[1])).error());
        assertTrue(p256.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[1]).length > 0, "connection stays open");
    }
}
