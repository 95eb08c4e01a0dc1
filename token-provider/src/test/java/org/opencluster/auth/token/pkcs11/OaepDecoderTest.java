package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.security.SecureRandom;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OAEP decoder against Bouncy Castle's encoder, on raw RSA outputs (the form a token's CKM_RSA_X_509 gives). */
class OaepDecoderTest {
    private static AsymmetricCipherKeyPair keys;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void keys() {
        RSAKeyPairGenerator g = new RSAKeyPairGenerator();
        g.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), RANDOM, 2048, 80));
        keys = g.generateKeyPair();
    }

    private static byte[] rawDecrypt(byte[] ct) {
        RSAEngine raw = new RSAEngine();
        raw.init(false, keys.getPrivate());
        byte[] m = raw.processBlock(ct, 0, ct.length);
        byte[] em = new byte[256];
        System.arraycopy(m, 0, em, 256 - m.length, m.length);
        return em;
    }

    @Test
    void decodesWhatBouncyCastleEncodesForEveryLength() throws Exception {
        for (int len = 0; len <= 256 - 2 * 32 - 2; len += 19) {
            byte[] msg = new byte[len];
            RANDOM.nextBytes(msg);
            OAEPEncoding enc = new OAEPEncoding(new RSAEngine(), new SHA256Digest(), new SHA256Digest(), null);
            enc.init(true, keys.getPublic());
            assertArrayEquals(msg, OaepDecoder.decode(rawDecrypt(enc.processBlock(msg, 0, len))), "length " + len);
        }
    }

    @Test
    void rejectsForeignLabelsTamperingAndGarbage() throws Exception {
        OAEPEncoding labelled = new OAEPEncoding(new RSAEngine(), new SHA256Digest(), new SHA256Digest(),
                new byte[] {1});
        labelled.init(true, keys.getPublic());
        assertNull(OaepDecoder.decode(rawDecrypt(labelled.processBlock(new byte[8], 0, 8))));
        byte[] garbage = new byte[256];
        for (int i = 0; i < 50; i++) {
            RANDOM.nextBytes(garbage);
            garbage[0] = 0;
            assertNull(OaepDecoder.decode(garbage));
        }
        assertNull(OaepDecoder.decode(new byte[10]));
    }
}
