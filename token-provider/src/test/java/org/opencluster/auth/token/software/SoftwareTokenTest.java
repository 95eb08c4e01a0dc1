package org.opencluster.auth.token.software;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

class SoftwareTokenTest {
    private static final Provider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<KeyType, byte[]> KEYS = new EnumMap<>(KeyType.class);

    @BeforeAll
    static void generateKeys() {
        for (KeyType t : KeyType.values()) {
            KEYS.put(t, SoftwareKeys.generatePkcs8(t, RANDOM));
        }
    }

    private static SoftwareToken token(KeyType t) throws TokenException {
        return SoftwareToken.fromPkcs8("test-" + t, KEYS.get(t), List.of());
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void signaturesVerifyWithBouncyCastleProvider(SignatureScheme scheme) throws Exception {
        try (SoftwareToken token = token(scheme.keyType())) {
            byte[] message = "transcript hash".getBytes();
            byte[] sig = token.sign(scheme, message);
            assertTrue(verify(scheme, token.publicKey(), message, sig));
            message[0] ^= 1;
            assertFalse(verify(scheme, token.publicKey(), message, sig));
        }
    }

    static boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] sig) throws Exception {
        Signature v = Signature.getInstance(scheme.jcaAlgorithm(), BC);
        if (scheme.jcaParameters().isPresent()) {
            v.setParameter(scheme.jcaParameters().get());
        }
        v.initVerify(key);
        v.update(message);
        return v.verify(sig);
    }

    @Test
    void ed25519SignatureIsRawSixtyFourBytesAndEcdsaIsDer() throws Exception {
        try (SoftwareToken ed = token(KeyType.ED25519); SoftwareToken ec = token(KeyType.EC_P256)) {
            assertEquals(64, ed.sign(SignatureScheme.ED25519, new byte[1]).length);
            byte[] der = ec.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[1]);
            assertEquals(0x30, der[0] & 0xff);
            assertEquals(der.length - 2, der[1] & 0xff);
        }
    }

    @Test
    void schemeOfAnotherKeyTypeIsRefused() throws Exception {
        try (SoftwareToken token = token(KeyType.EC_P256)) {
            TokenException e = assertThrows(TokenException.class,
                    () -> token.sign(SignatureScheme.ECDSA_P384_SHA384, new byte[1]));
            assertEquals(TokenError.MECHANISM_UNSUPPORTED, e.error());
            assertEquals(TokenError.MECHANISM_UNSUPPORTED,
                    assertThrows(TokenException.class, () -> token.decrypt(EncryptionScheme.RSA_OAEP_SHA256,
                            new byte[384])).error());
        }
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384"})
    void ecdhMatchesTheJdkPeer(KeyType type) throws Exception {
        String curve = type == KeyType.EC_P256 ? "secp256r1" : "secp384r1";
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair peer = g.generateKeyPair();
        try (SoftwareToken token = token(type)) {
            assertTrue(token.operations().contains(TokenOperation.KEY_AGREEMENT));
            byte[] ours = token.agree(peer.getPublic());
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(peer.getPrivate());
            ka.doPhase(token.publicKey(), true);
            assertArrayEquals(ka.generateSecret(), ours);
            assertEquals(type == KeyType.EC_P256 ? 32 : 48, ours.length);
        }
    }

    @Test
    void ecdhRefusesPeerOnAnotherCurve() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        try (SoftwareToken token = token(KeyType.EC_P256)) {
            assertEquals(TokenError.INVALID_PEER_KEY, assertThrows(TokenException.class,
                    () -> token.agree(g.generateKeyPair().getPublic())).error());
        }
    }

    @Test
    void x25519MatchesTheJdkPeer() throws Exception {
        KeyPair peer = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        try (SoftwareToken token = token(KeyType.X25519)) {
            byte[] ours = token.agree(peer.getPublic());
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(peer.getPrivate());
            ka.doPhase(token.publicKey(), true);
            assertArrayEquals(ka.generateSecret(), ours);
            assertFalse(token.operations().contains(TokenOperation.SIGN));
        }
    }

    @Test
    void rsaOaepDecryptsBouncyCastleCiphertextAndRejectsTampering() throws Exception {
        try (SoftwareToken token = token(KeyType.RSA_3072)) {
            Cipher enc = Cipher.getInstance("RSA/NONE/OAEPWithSHA256AndMGF1Padding", BC);
            enc.init(Cipher.ENCRYPT_MODE, token.publicKey());
            byte[] secret = "session code 42".getBytes();
            byte[] ct = enc.doFinal(secret);
            assertArrayEquals(secret, token.decrypt(EncryptionScheme.RSA_OAEP_SHA256, ct));
            ct[10] ^= 1;
            assertEquals(TokenError.DECRYPTION_FAILED, assertThrows(TokenException.class,
                    () -> token.decrypt(EncryptionScheme.RSA_OAEP_SHA256, ct)).error());
        }
    }

    @Test
    void closedTokenRefusesOperations() throws Exception {
        SoftwareToken token = token(KeyType.ED25519);
        token.close();
        assertEquals(TokenError.TOKEN_CLOSED, assertThrows(TokenException.class,
                () -> token.sign(SignatureScheme.ED25519, new byte[1])).error());
    }

    @Test
    void garbageKeyIsRejectedWithoutEchoingIt() {
        TokenException e = assertThrows(TokenException.class,
                () -> SoftwareToken.fromPkcs8("x", new byte[] {0x30, 0x03, 1, 2, 3}, List.of()));
        assertEquals(TokenError.KEY_NOT_FOUND, e.error());
    }
}
