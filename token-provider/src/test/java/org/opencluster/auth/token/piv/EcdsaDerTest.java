package org.opencluster.auth.token.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A card's ECDSA signature is accepted only in strict DER (issue 13 item 8): Project Wycheproof's vectors through
 * the path {@link PivToken} uses (EcdsaDer, then the JDK's verifier): every valid one verifies, every invalid one is
 * refused. The old repair turned nine BER or non-minimal encodings per curve into valid signatures.
 */
class EcdsaDerTest {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Valid vectors that JDK 17's verifier refuses (r or x just above n: "k*G has a large x-coordinate", "x = n + r
     * is the smallest possible x with a reduction"); JDK 25 verifies them. A false negative of the verifier, after
     * EcdsaDer accepted the encoding, so allowed here and nowhere else.
     */
    private static final Map<String, Set<Integer>> JDK17_FALSE_NEGATIVES = Map.of(
            "ecdsa_secp256r1_sha256_test.json", Set.of(350, 479), "ecdsa_secp384r1_sha384_test.json", Set.of(382, 499));

    private static boolean verifies(PublicKey key, String hash, byte[] msg, byte[] der) {
        try {
            Signature v = Signature.getInstance(hash + "withECDSA");
            v.initVerify(key);
            v.update(msg);
            return v.verify(der);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    @ParameterizedTest
    @CsvSource({"ecdsa_secp256r1_sha256_test.json, SHA256, 32, 484", "ecdsa_secp384r1_sha384_test.json, SHA384, 48, 504"})
    void everyValidWycheproofVectorVerifiesAndEveryInvalidOneIsRefused(String file, String hash, int fieldBytes,
            int count) throws Exception {
        List<WycheproofEcdsa.Vector> vectors = WycheproofEcdsa.load(file);
        assertEquals(count, vectors.size(), "every vector of " + file + " read");
        KeyFactory ec = KeyFactory.getInstance("EC");
        List<String> wrong = new ArrayList<>();
        for (WycheproofEcdsa.Vector t : vectors) {
            PublicKey key = ec.generatePublic(new X509EncodedKeySpec(t.publicKeyDer()));
            // The path of PivToken: the card's bytes through EcdsaDer, then the verifier.
            byte[] der;
            try {
                der = EcdsaDer.requireStrict(t.sig(), fieldBytes);
            } catch (IllegalArgumentException refused) {
                der = null;
            }
            boolean valid = t.result().equals("valid");
            if (valid && der == null) {
                wrong.add(t.tcId() + " (valid, refused by EcdsaDer)");
            } else if (valid && !verifies(key, hash, t.msg(), der)
                    && !JDK17_FALSE_NEGATIVES.get(file).contains(t.tcId())) {
                wrong.add(t.tcId() + " (valid, refused by the verifier)");
            } else if (!valid && der != null && verifies(key, hash, t.msg(), der)) {
                wrong.add(t.tcId() + " (" + t.result() + ", accepted)");
            }
        }
        assertEquals(List.of(), wrong, file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp384r1"})
    void signaturesOfTheJdkAreStrictDerAndPassUnchanged(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair kp = g.generateKeyPair();
        int fieldBytes = curve.equals("secp256r1") ? 32 : 48;
        for (int i = 0; i < 200; i++) {
            Signature s = Signature.getInstance(fieldBytes == 32 ? "SHA256withECDSA" : "SHA384withECDSA");
            s.initSign(kp.getPrivate());
            s.update(new byte[] {(byte) i});
            byte[] der = s.sign();
            assertArrayEquals(der, EcdsaDer.requireStrict(der, fieldBytes));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "3007020180020200" + "01", // r = 0x80 without its 0x00 pad (negative), s with a superfluous zero
        "30070202008002" + "0101" + "00", // a byte after the sequence
        "3081070202008002" + "0101", // a long-form length below 128
        "300802020080020200" + "01", // s with a superfluous leading zero
        "3006020100020101", // r = 0
        "31020000", "300602", "", "30", // not a sequence, cut short
    })
    void berAndNonMinimalEncodingsAreRefused(String hex) {
        byte[] sig = HEX.parseHex(hex);
        assertFalse(EcdsaDer.isStrict(sig, 32), hex);
        assertThrows(IllegalArgumentException.class, () -> EcdsaDer.requireStrict(sig, 32), hex);
    }

    @org.junit.jupiter.api.Test
    void anIntegerLongerThanTheFieldIsRefused() {
        // r = 2^256 + 1: fine DER, but 33 significant bytes for a 32-byte field.
        byte[] sig = HEX.parseHex("3026022101" + "00".repeat(31) + "01" + "020101");
        assertFalse(EcdsaDer.isStrict(sig, 32));
        assertEquals(true, EcdsaDer.isStrict(sig, 48));
    }
}
