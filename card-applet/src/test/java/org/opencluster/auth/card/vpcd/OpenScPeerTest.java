package org.opencluster.auth.card.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.KeyAgreement;
import javax.smartcardio.Card;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;
import org.opencluster.auth.token.piv.SmartcardioTransport;

/**
 * OpenSC as an independent PIV implementation talking to our applet through pcscd: the card is provisioned
 * over PC/SC with our APDUs, then {@code pkcs11-tool} lists, signs and derives, and the results are checked
 * with JDK crypto.
 */
class OpenScPeerTest {
    private static VirtualReader reader;
    private static X509Certificate cert9a;
    private static X509Certificate cert9d;

    @TempDir
    static Path dir;

    @BeforeAll
    static void provision() throws Exception {
        VirtualReader.requireReader();
        RealComponent.require(Tools.OPENSC_PKCS11 != null && Tools.onPath("pkcs11-tool"),
                "OpenSC pkcs11-tool and opensc-pkcs11.so (apt-get install opensc opensc-pkcs11)");
        reader = VirtualReader.insert(VirtualCard.create());
        TestCa ca = new TestCa();
        Card card = reader.connect();
        try {
            PivClient admin = new PivClient(new SmartcardioTransport(card.getBasicChannel()));
            admin.select();
            admin.authenticateManagementKey(PivClient.defaultManagementKey());
            ECPublicKey pub9a = admin.generateKey(PivSlot.AUTHENTICATION, PivAlgorithm.EC_P256);
            ECPublicKey pub9d = admin.generateKey(PivSlot.KEY_MANAGEMENT, PivAlgorithm.EC_P384);
            byte[] der9a = ca.issue(pub9a, "OpenCluster Test 9A", KeyUsage.digitalSignature);
            byte[] der9d = ca.issue(pub9d, "OpenCluster Test 9D", KeyUsage.keyAgreement);
            admin.putCertificate(PivSlot.AUTHENTICATION, der9a);
            admin.putCertificate(PivSlot.KEY_MANAGEMENT, der9d);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            cert9a = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der9a));
            cert9d = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der9d));
        } finally {
            // Reset, so OpenSC starts from a fresh power-up with no PIN verified.
            card.disconnect(true);
        }
    }

    @AfterAll
    static void remove() throws Exception {
        if (reader != null) {
            reader.close();
        }
    }

    private static Tools.Result p11(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--slot-description";
        all[1] = VirtualReader.READER;
        System.arraycopy(args, 0, all, 2, args.length);
        return Tools.pkcs11Tool(all);
    }

    @Test
    void ourPkcs11TokenLogsInAndSignsThroughOpenScsModule() throws Exception {
        // The token-provider's PKCS#11 path (RFC 7512 URI, slot chosen before login, SunPKCS11) with OpenSC's
        // module in place of SoftHSM2: OpenSC names the token after the 9A certificate's subject, and SunPKCS11
        // names a key after its certificate's label.
        Path pin = java.nio.file.Files.writeString(dir.resolve("user.pin"), "123456");
        String uri = "pkcs11:token=OpenCluster%20Test%209A;object=Certificate%20for%20PIV%20Authentication;type=private?module-path="
                + Tools.OPENSC_PKCS11 + "&pin-source=file:" + pin;
        byte[] message = "signed through opensc-pkcs11.so".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (org.opencluster.auth.token.Token token = org.opencluster.auth.token.pkcs11.Pkcs11Tokens.builder().build()
                .open(uri)) {
            byte[] signature = token.sign(org.opencluster.auth.token.SignatureScheme.ECDSA_P256_SHA256, message);
            java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
            v.initVerify(cert9a.getPublicKey());
            v.update(message);
            assertTrue(v.verify(signature), "the card's signature, made through OpenSC, verifies with the 9A certificate");
        }
    }

    @Test
    void listsTokenCertificatesAndKeys() throws Exception {
        Tools.Result slots = Tools.pkcs11Tool("-L");
        assertEquals(0, slots.exitCode(), slots.toString());
        assertTrue(slots.output().contains("OpenCluster Test 9A"), "token label from the 9A certificate: " + slots);

        Tools.Result objects = p11("-O");
        assertEquals(0, objects.exitCode(), objects.toString());
        String o = objects.output();
        assertTrue(o.contains("Certificate for PIV Authentication") && o.contains("CN=OpenCluster Test 9A"), o);
        assertTrue(o.contains("Certificate for Key Management") && o.contains("CN=OpenCluster Test 9D"), o);
        assertTrue(o.contains("ID:         01") && o.contains("ID:         03"), o);
        assertTrue(o.contains("Public Key Object; EC"), o);

        Tools.Result loggedIn = p11("--login", "--pin", "123456", "-O", "--type", "privkey");
        assertEquals(0, loggedIn.exitCode(), loggedIn.toString());
        assertTrue(loggedIn.output().contains("PIV AUTH key") && loggedIn.output().contains("KEY MAN key"),
                loggedIn.toString());
    }

    @Test
    void signsWithThe9aKeyAndTheSignatureVerifiesWithTheCertificate() throws Exception {
        Path data = dir.resolve("data.txt");
        Path sig = dir.resolve("data.sig");
        Files.writeString(data, "OpenCluster Auth signs this through OpenSC");
        Tools.Result r = p11("--login", "--pin", "123456", "--sign", "--id", "01", "-m", "ECDSA-SHA256",
                "--signature-format", "openssl", "-i", data.toString(), "-o", sig.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(cert9a.getPublicKey());
        v.update(Files.readAllBytes(data));
        assertTrue(v.verify(Files.readAllBytes(sig)));
    }

    @Test
    void derivesWithThe9dKeyTheSameSecretAsSoftwareEcdh() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair peer = g.generateKeyPair();
        Path peerDer = dir.resolve("peer.der");
        Path secret = dir.resolve("secret.bin");
        Files.write(peerDer, peer.getPublic().getEncoded());
        Tools.Result r = p11("--login", "--pin", "123456", "--derive", "--id", "03", "-m", "ECDH1-DERIVE",
                "--input-file", peerDer.toString(), "--output-file", secret.toString());
        assertEquals(0, r.exitCode(), r.toString());
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(peer.getPrivate());
        ka.doPhase(cert9d.getPublicKey(), true);
        assertArrayEquals(ka.generateSecret(), Files.readAllBytes(secret));
    }

    @Test
    void wrongPinIsRefusedByTheCard() throws Exception {
        Tools.Result r = p11("--login", "--pin", "999999", "--sign", "--id", "01", "-m", "ECDSA-SHA256",
                "-i", "/dev/null");
        assertTrue(r.exitCode() != 0, r.toString());
        assertTrue(r.output().contains("CKR_PIN_INCORRECT"), r.toString());
        // Restore the counter for the other tests of this class (they share the card).
        Card card = reader.connect();
        try {
            PivClient admin = new PivClient(new SmartcardioTransport(card.getBasicChannel()));
            admin.select();
            assertEquals(2, admin.pinTriesLeft());
            admin.verifyPin("123456".toCharArray());
        } finally {
            card.disconnect(true);
        }
    }
}
