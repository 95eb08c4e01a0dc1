package org.opencluster.auth.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.suite.AeadAlgorithm;
import org.opencluster.auth.protocol.suite.Hex;

/**
 * The record AEADs exactly as the frame layer drives them (RecordCipher: nonce = static IV XOR sequence),
 * against published vectors: RFC 8439 section 2.8.2 (ChaCha20-Poly1305) and the GCM specification's
 * test case 16 (AES-256, 96-bit IV, with AAD; McGrew and Viega, as used by NIST).
 */
class RecordCipherKnownAnswerTest {

    private static byte[] run(AeadAlgorithm alg, boolean encrypt, byte[] key, byte[] iv, long seq, byte[] aad,
            byte[] input) throws Exception {
        RecordCipher rc = new RecordCipher(alg, encrypt);
        rc.installRaw(key, iv);
        Cipher c = rc.start(seq);
        c.updateAAD(aad);
        ByteBuffer out = ByteBuffer.allocate(input.length + 16);
        c.doFinal(ByteBuffer.wrap(input), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static byte[] xorLastByte(byte[] nonce, int x) {
        byte[] n = nonce.clone();
        n[11] ^= (byte) x;
        return n;
    }

    @Test
    void chacha20Poly1305Rfc8439Section282() throws Exception {
        byte[] key = Hex.bytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = Hex.bytes("070000004041424344454647");
        byte[] aad = Hex.bytes("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
                + "future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        String expected = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116"
                + "1ae10b594f09e26a7e902ecbd0600691";
        assertEquals(expected, Hex.hex(run(AeadAlgorithm.CHACHA20_POLY1305, true, key, nonce, 0, aad, plaintext)));
        // the same nonce reached as static IV XOR sequence number 5
        assertEquals(expected, Hex.hex(run(AeadAlgorithm.CHACHA20_POLY1305, true, key, xorLastByte(nonce, 5), 5, aad,
                plaintext)));
        assertArrayEquals(plaintext, run(AeadAlgorithm.CHACHA20_POLY1305, false, key, nonce, 0, aad,
                Hex.bytes(expected)));
    }

    @Test
    void aes256GcmTestCase16() throws Exception {
        byte[] key = Hex.bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        byte[] iv = Hex.bytes("cafebabefacedbaddecaf888");
        byte[] aad = Hex.bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plaintext = Hex.bytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        String expected = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                + "76fc6ece0f4e1768cddf8853bb2d551b";
        assertEquals(expected, Hex.hex(run(AeadAlgorithm.AES_256_GCM, true, key, iv, 0, aad, plaintext)));
        assertEquals(expected, Hex.hex(run(AeadAlgorithm.AES_256_GCM, true, key, xorLastByte(iv, 0x2a), 0x2a, aad,
                plaintext)));
        assertArrayEquals(plaintext, run(AeadAlgorithm.AES_256_GCM, false, key, iv, 0, aad, Hex.bytes(expected)));
    }
}
