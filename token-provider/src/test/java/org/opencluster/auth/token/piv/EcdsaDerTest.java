package org.opencluster.auth.token.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EcdsaDerTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void canonicalSignaturesPassUnchanged() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        for (int i = 0; i < 50; i++) {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(kp.getPrivate());
            s.update(new byte[] {(byte) i});
            byte[] der = s.sign();
            assertArrayEquals(der, EcdsaDer.canonical(der));
        }
    }

    @Test
    void sloppyIntegersAreRepairedAndGarbageIsLeftAlone() {
        // r = 0x80 written without its 0x00 pad, s = 0x01 written with a superfluous zero
        byte[] sloppy = HEX.parseHex("3007020180020200" + "01");
        assertArrayEquals(HEX.parseHex("30070202008002" + "0101"), EcdsaDer.canonical(sloppy));
        byte[] garbage = HEX.parseHex("31020000");
        assertTrue(EcdsaDer.canonical(garbage) == garbage);
        byte[] truncated = HEX.parseHex("300602");
        assertTrue(EcdsaDer.canonical(truncated) == truncated);
    }
}
