package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.KeyAgreement;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TestCertificates;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/** OpenSC's pkcs11-tool as an independent peer, both ways, on the same SoftHSM2 token. */
class OpenScInteropTest {
    private static final String PIN = "2468";
    private static SoftHsmFixture hsm;
    private static SoftwareToken ca;
    private static Pkcs11Tokens tokens;
    private static Path work;

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(OpenScInteropTest.class);
        RealComponent.require(SoftHsmFixture.pkcs11ToolInstalled(), "OpenSC pkcs11-tool (apt-get install opensc)");
        hsm.initToken("interop", SoftHsmSupport.SO_PIN, PIN);
        work = Files.createDirectories(hsm.tokenDir().resolveSibling("work"));
        ca = SoftwareToken.fromPkcs8("interop-ca", SoftwareKeys.generatePkcs8(KeyType.EC_P384, new SecureRandom()),
                List.of());
        tokens = Pkcs11Tokens.builder().defaultModule(hsm.module())
                .defaultPinSource(PinSource.of(PIN.toCharArray())).build();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    @Test
    void keyPairMadeByPkcs11ToolIsFoundByUriAndUsed() throws Exception {
        hsm.keygen("interop", PIN, "toolkey", "EC:prime256v1", "a1");
        // SunPKCS11 cannot see a key without a certificate: the error says so and what to do.
        TokenException noCert = assertThrows(TokenException.class,
                () -> tokens.open("pkcs11:token=interop;object=toolkey"));
        assertEquals(TokenError.KEY_NOT_FOUND, noCert.error());
        assertTrue(noCert.getMessage().contains("certificate"), noCert.getMessage());

        Path pub = work.resolve("toolkey.pub.der");
        hsm.pkcs11Tool("--token-label", "interop", "--read-object", "--type", "pubkey", "--id", "a1",
                "--output-file", pub.toString());
        PublicKey toolKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
        X509Certificate cert = TestCertificates.issue(ca, SignatureScheme.ECDSA_P384_SHA384, "toolkey", toolKey);
        Path certFile = Files.write(work.resolve("toolkey.crt.der"), cert.getEncoded());
        hsm.pkcs11Tool("--token-label", "interop", "--login", "--pin", PIN, "--write-object", certFile.toString(),
                "--type", "cert", "--id", "a1", "--label", "toolkey");

        try (Pkcs11Token token = tokens.open("pkcs11:token=interop;object=toolkey;type=private")) {
            assertEquals(toolKey, token.publicKey());
            byte[] message = "made by OpenSC".getBytes(StandardCharsets.UTF_8);
            assertTrue(SoftHsmSupport.verify(SignatureScheme.ECDSA_P256_SHA256, toolKey, message,
                    token.sign(SignatureScheme.ECDSA_P256_SHA256, message)));
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair peer = g.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(peer.getPrivate());
            ka.doPhase(toolKey, true);
            assertArrayEquals(ka.generateSecret(), token.agree(peer.getPublic()));
        }
    }

    @Test
    void keyAndCertificateMadeHereAreListedAndUsableByPkcs11Tool() throws Exception {
        X509Certificate issued;
        try (Pkcs11Connection c = tokens.connect("pkcs11:token=interop")) {
            Pkcs11Token ours = c.generateKeyPair(KeyType.EC_P256, "ours");
            Enrolment.csr(ours, new X500Name("CN=ours"), SignatureScheme.ECDSA_P256_SHA256);
            issued = TestCertificates.issue(ca, SignatureScheme.ECDSA_P384_SHA384, "ours", ours.publicKey());
            c.storeCertificateChain("ours", List.of(issued));
        }
        String listing = hsm.pkcs11Tool("--token-label", "interop", "--login", "--pin", PIN, "--list-objects");
        String id = HexFormat.of().formatHex("ours".getBytes(StandardCharsets.UTF_8)); // SunPKCS11: CKA_ID = alias
        assertTrue(listing.contains("Certificate Object"), listing);
        assertTrue(listing.contains("label:      ours"), listing);
        assertTrue(listing.contains("ID:         " + id), listing);
        assertTrue(listing.contains("never extractable"), listing);

        Path data = Files.write(work.resolve("data"), "signed by OpenSC with our key".getBytes(StandardCharsets.UTF_8));
        Path sig = work.resolve("data.sig");
        // SoftHSM2 2.6 offers plain CKM_ECDSA only, so pkcs11-tool signs the SHA-256 hash we hand it.
        Path hash = Files.write(work.resolve("data.sha256"),
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(data)));
        hsm.pkcs11Tool("--token-label", "interop", "--login", "--pin", PIN, "--sign", "--id", id,
                "--mechanism", "ECDSA", "--signature-format", "openssl",
                "--input-file", hash.toString(), "--output-file", sig.toString());
        assertTrue(SoftHsmSupport.verify(SignatureScheme.ECDSA_P256_SHA256, issued.getPublicKey(),
                Files.readAllBytes(data), Files.readAllBytes(sig)));
        Path cert = work.resolve("ours.crt.der");
        hsm.pkcs11Tool("--token-label", "interop", "--read-object", "--type", "cert", "--id", id,
                "--output-file", cert.toString());
        assertArrayEquals(issued.getEncoded(), Files.readAllBytes(cert));
    }

    @Test
    void rsaKeyMadeHereSignsPssWithPkcs11Tool() throws Exception {
        X509Certificate issued;
        try (Pkcs11Connection c = tokens.connect("pkcs11:token=interop")) {
            Pkcs11Token rsa = c.generateKeyPair(KeyType.RSA_3072, "our-rsa");
            issued = TestCertificates.issue(ca, SignatureScheme.ECDSA_P384_SHA384, "our-rsa", rsa.publicKey());
            c.storeCertificateChain("our-rsa", List.of(issued));
        }
        String id = HexFormat.of().formatHex("our-rsa".getBytes(StandardCharsets.UTF_8));
        byte[] data = "PSS by OpenSC".getBytes(StandardCharsets.UTF_8);
        Path in = Files.write(work.resolve("rsa.data"), data);
        Path sig = work.resolve("rsa.sig");
        hsm.pkcs11Tool("--token-label", "interop", "--login", "--pin", PIN, "--sign", "--id", id,
                "--mechanism", "SHA256-RSA-PKCS-PSS", "--mgf", "MGF1-SHA256", "--salt-len", "-1",
                "--input-file", in.toString(), "--output-file", sig.toString());
        assertTrue(SoftHsmSupport.verify(SignatureScheme.RSA_PSS_SHA256, issued.getPublicKey(), data,
                Files.readAllBytes(sig)));
    }

}
