package org.opencluster.auth.card.vpcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.smartcardio.Card;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;
import org.opencluster.auth.token.piv.SmartcardioTransport;

/**
 * yubico-piv-tool (Yubico's PIV host tool, written for YubiKeys) against our applet through pcscd: status,
 * PIN verification with retries, PIN blocking and PUK unblock, and on-card key generation with the default
 * management key.
 */
class YubicoPivToolTest {
    private VirtualReader reader;

    @BeforeEach
    void insert() throws Exception {
        VirtualReader.requireReader();
        RealComponent.require(Tools.onPath("yubico-piv-tool"), "yubico-piv-tool (apt-get install yubico-piv-tool)");
        reader = VirtualReader.insert(VirtualCard.create());
    }

    @AfterEach
    void remove() throws Exception {
        if (reader != null) {
            reader.close();
        }
    }

    private static Tools.Result piv(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-r";
        all[1] = VirtualReader.READER;
        System.arraycopy(args, 0, all, 2, args.length);
        String[] cmd = new String[all.length + 1];
        cmd[0] = "yubico-piv-tool";
        System.arraycopy(all, 0, cmd, 1, all.length);
        return Tools.run(cmd);
    }

    @Test
    void statusShowsChuidAndPinTries() throws Exception {
        Tools.Result r = piv("-a", "status");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.output().contains("CHUID:\t3019d4e739da739ced39ce739d83"), r.toString());
        assertTrue(r.output().contains("PIN tries left:\t3"), r.toString());
    }

    @Test
    void verifyPinReportsRetriesBlocksAndPukUnblocks() throws Exception {
        Tools.Result ok = piv("-a", "verify-pin", "-P", "123456");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(ok.output().contains("Successfully verified PIN"), ok.toString());

        Tools.Result wrong = piv("-a", "verify-pin", "-P", "654321");
        assertNotEquals(0, wrong.exitCode(), wrong.toString());
        assertTrue(wrong.output().contains("2 tries left"), wrong.toString());
        assertTrue(piv("-a", "verify-pin", "-P", "654321").output().contains("1 tries left"));
        piv("-a", "verify-pin", "-P", "654321");
        Tools.Result blocked = piv("-a", "verify-pin", "-P", "123456");
        assertNotEquals(0, blocked.exitCode(), blocked.toString());
        assertTrue(blocked.output().toLowerCase().contains("blocked"), blocked.toString());

        Tools.Result unblock = piv("-a", "unblock-pin", "-P", "12345678", "-N", "24682468");
        assertEquals(0, unblock.exitCode(), unblock.toString());
        Tools.Result newPin = piv("-a", "verify-pin", "-P", "24682468");
        assertEquals(0, newPin.exitCode(), newPin.toString());

        Tools.Result change = piv("-a", "change-pin", "-P", "24682468", "-N", "135790");
        assertEquals(0, change.exitCode(), change.toString());
        assertEquals(0, piv("-a", "verify-pin", "-P", "135790").exitCode());
    }

    @Test
    void generateWithDefaultManagementKeyGivesAUsableKey() throws Exception {
        Tools.Result r = piv("-a", "generate", "-s", "9e", "-A", "ECCP256");
        assertEquals(0, r.exitCode(), r.toString());
        String out = r.output();
        int begin = out.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = out.indexOf("-----END PUBLIC KEY-----");
        assertTrue(begin >= 0 && end > begin, r.toString());
        byte[] spki = Base64.getMimeDecoder().decode(out.substring(begin + 26, end));
        PublicKey pub = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));

        // The key yubico-piv-tool had generated signs on the card and verifies with the key it printed.
        byte[] hash = MessageDigest.getInstance("SHA-256").digest("card authentication".getBytes());
        Card card = reader.connect();
        byte[] sig;
        try {
            PivClient client = new PivClient(new SmartcardioTransport(card.getBasicChannel()));
            client.select();
            sig = client.sign(PivSlot.CARD_AUTHENTICATION, PivAlgorithm.EC_P256, hash);
        } finally {
            card.disconnect(true);
        }
        Signature v = Signature.getInstance("NONEwithECDSA");
        v.initVerify(pub);
        v.update(hash);
        assertTrue(v.verify(sig));
    }

    @Test
    void generateWithWrongManagementKeyIsRefused() throws Exception {
        Tools.Result r = piv("--key=010203040506070801020304050607080102030405060710", "-a", "generate",
                "-s", "9a", "-A", "ECCP256");
        assertNotEquals(0, r.exitCode(), r.toString());
        Card card = reader.connect();
        try {
            PivClient client = new PivClient(new SmartcardioTransport(card.getBasicChannel()));
            client.select();
            client.verifyPin("123456".toCharArray());
            org.opencluster.auth.token.piv.PivCardException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.opencluster.auth.token.piv.PivCardException.class,
                    () -> client.sign(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256, new byte[32]));
            assertEquals(org.opencluster.auth.token.piv.PivCardError.NOT_FOUND, e.error(), "no key was generated");
        } finally {
            card.disconnect(true);
        }
    }

    @Test
    void setManagementKeyThenOnlyTheNewKeyGenerates() throws Exception {
        String newKey = "0F1E2D3C4B5A69788796A5B4C3D2E1F00123456789ABCDEF";
        Tools.Result set = piv("-a", "set-mgm-key", "-n", newKey);
        assertEquals(0, set.exitCode(), set.toString());
        assertNotEquals(0, piv("-a", "generate", "-s", "9a", "-A", "ECCP256").exitCode(), "default key refused");
        Tools.Result gen = piv("--key=" + newKey, "-a", "generate", "-s", "9a", "-A", "ECCP384");
        assertEquals(0, gen.exitCode(), gen.toString());
        assertTrue(gen.output().contains("BEGIN PUBLIC KEY"), gen.toString());
    }

    /**
     * RSA on the applet, with both independent tools: yubico-piv-tool generates an RSA-2048 key in 9A, the
     * certificate is written back, OpenSC's pkcs11-tool signs SHA256-RSA-PKCS with it (OpenSC pads, the card does
     * the raw operation) and the JDK verifies; our PIV token signs RSA-PSS with the same key.
     */
    @Test
    void rsa2048GeneratedByYubicoPivToolSignsThroughOpenScAndOurToken() throws Exception {
        RealComponent.require(Tools.OPENSC_PKCS11 != null && Tools.onPath("pkcs11-tool"),
                "OpenSC pkcs11-tool and opensc-pkcs11.so (apt-get install opensc opensc-pkcs11)");
        Tools.Result r = piv("-a", "generate", "-s", "9a", "-A", "RSA2048");
        assertEquals(0, r.exitCode(), r.toString());
        String out = r.output();
        int begin = out.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = out.indexOf("-----END PUBLIC KEY-----");
        assertTrue(begin >= 0 && end > begin, r.toString());
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                Base64.getMimeDecoder().decode(out.substring(begin + 26, end))));
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) pub).getModulus().bitLength());
        byte[] der = new TestCa().issue(pub, "OpenCluster RSA 9A", org.bouncycastle.asn1.x509.KeyUsage.digitalSignature);
        Card card = reader.connect();
        try {
            PivClient client = new PivClient(new SmartcardioTransport(card.getBasicChannel()));
            client.select();
            client.authenticateManagementKey(PivClient.defaultManagementKey());
            client.putCertificate(PivSlot.AUTHENTICATION, der);
        } finally {
            card.disconnect(true);
        }

        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rsa-sign");
        try {
            byte[] data = "signed by OpenSC with the card's RSA key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.file.Path in = java.nio.file.Files.write(dir.resolve("data"), data);
            java.nio.file.Path sig = dir.resolve("sig");
            Tools.Result signed = Tools.pkcs11Tool("--slot-description", VirtualReader.READER, "--login", "--pin",
                    "123456", "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", in.toString(), "-o",
                    sig.toString());
            assertEquals(0, signed.exitCode(), signed.toString());
            Signature v = Signature.getInstance("SHA256withRSA");
            v.initVerify(pub);
            v.update(data);
            assertTrue(v.verify(java.nio.file.Files.readAllBytes(sig)), "OpenSC's RSA signature verifies");
        } finally {
            for (java.nio.file.Path p : java.nio.file.Files.list(dir).toList()) {
                java.nio.file.Files.delete(p);
            }
            java.nio.file.Files.delete(dir);
        }

        try (org.opencluster.auth.token.piv.PivToken token = org.opencluster.auth.token.piv.PivCards.builder()
                .reader(VirtualReader.READER).pinSource(org.opencluster.auth.token.PinSource.of("123456".toCharArray()))
                .build().open(PivSlot.AUTHENTICATION)) {
            byte[] message = "login transcript stand-in".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] pss = token.sign(org.opencluster.auth.token.SignatureScheme.RSA_PSS_SHA256, message);
            Signature v = Signature.getInstance("RSASSA-PSS");
            v.setParameter(org.opencluster.auth.token.SignatureScheme.RSA_PSS_SHA256.jcaParameters().orElseThrow());
            v.initVerify(pub);
            v.update(message);
            assertTrue(v.verify(pss));
        }
    }
}
