package org.opencluster.auth.token.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * The URIs GnuTLS's {@code p11tool} prints (p11-kit's format, RFC 7512) open the very key they name (issue 13
 * item 14): a non-ASCII label (SunPKCS11 reads CKA_LABEL bytes as Latin-1), a label with trailing blanks, the
 * {@code id} attribute p11tool always prints, and an unknown query attribute (ignored, as p11-kit and OpenSSH do).
 * Keys are made with OpenSC's pkcs11-tool, as an operator would, not by this project's code.
 */
class P11toolUriTest {
    private static final String PIN = "4321";
    private static final String TOKEN = "tök";
    /** Key label (as UTF-8 on the token) to CKA_ID. */
    private static final Map<String, String> KEYS = Map.of("clé-ß", "11", "padded  ", "12", "plain", "13");
    private static SoftHsmFixture hsm;
    private static final Map<String, byte[]> PUBLIC_KEYS = new TreeMap<>();
    /** Label to the URI p11tool printed for its private key. */
    private static final Map<String, String> PRINTED = new TreeMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        hsm = SoftHsmSupport.fixture(P11toolUriTest.class);
        RealComponent.require(SoftHsmFixture.pkcs11ToolInstalled() && onPath("p11tool"),
                "pkcs11-tool and p11tool (apt-get install opensc gnutls-bin)");
        hsm.initToken(TOKEN, SoftHsmSupport.SO_PIN, PIN);
        Path work = Files.createTempDirectory("p11tool");
        for (Map.Entry<String, String> k : KEYS.entrySet()) {
            keyWithCertificate(work, k.getKey(), k.getValue());
        }
        String listed = p11tool("--list-privkeys", "--login", "--set-pin=" + PIN, "pkcs11:token=t%C3%B6k");
        for (String line : listed.split("\n")) {
            line = line.strip();
            if (line.startsWith("URL: ")) {
                String uri = line.substring(5);
                for (String label : KEYS.keySet()) {
                    if (uri.contains("id=%" + KEYS.get(label) + ";")) {
                        PRINTED.put(label, uri);
                    }
                }
            }
        }
        assertEquals(KEYS.keySet(), PRINTED.keySet(), listed);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** An EC key made by pkcs11-tool, and a placeholder certificate with its id and label (SunPKCS11 needs one). */
    private static void keyWithCertificate(Path work, String label, String hexId) throws Exception {
        hsm.pkcs11Tool("--token-label", TOKEN, "--login", "--pin", PIN, "--keypairgen", "--key-type",
                "EC:prime256v1", "--label", label, "--id", hexId);
        Path pub = work.resolve(hexId + ".pub");
        hsm.pkcs11Tool("--token-label", TOKEN, "--read-object", "--type", "pubkey", "--id", hexId, "-o",
                pub.toString());
        byte[] spki = Files.readAllBytes(pub);
        PUBLIC_KEYS.put(label, spki);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair signer = g.generateKeyPair();
        X500Name name = new X500Name("CN=placeholder");
        byte[] cert = new X509v3CertificateBuilder(name, BigInteger.ONE, new Date(), new Date(System.currentTimeMillis()
                + 86_400_000L), name, SubjectPublicKeyInfo.getInstance(spki))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())).getEncoded();
        Path certFile = work.resolve(hexId + ".crt");
        Files.write(certFile, cert);
        hsm.pkcs11Tool("--token-label", TOKEN, "--login", "--pin", PIN, "--write-object", certFile.toString(),
                "--type", "cert", "--id", hexId, "--label", label);
    }

    private static String p11tool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("p11tool", "--provider=" + hsm.module()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", hsm.conf().toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("p11tool timed out");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static Pkcs11Tokens tokens() {
        return Pkcs11Tokens.builder().defaultModule(hsm.module()).defaultPinSource(PinSource.of(PIN.toCharArray()))
                .build();
    }

    private static PublicKey opened(String uri) throws Exception {
        try (Pkcs11Token t = tokens().open(uri)) {
            byte[] sig = t.sign(SignatureScheme.ECDSA_P256_SHA256, new byte[] {7});
            assertTrue(SoftHsmSupport.verify(SignatureScheme.ECDSA_P256_SHA256, t.publicKey(), new byte[] {7}, sig));
            return t.publicKey();
        }
    }

    @Test
    void theExactUriP11toolPrintsOpensThatKeyWhateverItsLabel() throws Exception {
        for (String label : KEYS.keySet()) {
            assertArrayEquals(PUBLIC_KEYS.get(label), opened(PRINTED.get(label)).getEncoded(), PRINTED.get(label));
        }
    }

    @Test
    void aNonAsciiLabelAndALabelWithTrailingBlanksOpenByObjectAlone() throws Exception {
        assertArrayEquals(PUBLIC_KEYS.get("clé-ß"), opened("pkcs11:token=t%C3%B6k;object=cl%C3%A9-%C3%9F")
                .getEncoded());
        assertArrayEquals(PUBLIC_KEYS.get("padded  "), opened("pkcs11:token=t%C3%B6k;object=padded%20%20;type=private")
                .getEncoded());
        TokenException trimmed = assertThrows(TokenException.class, () -> opened("pkcs11:token=t%C3%B6k;object=padded"),
                "a label is matched byte for byte, blanks included");
        assertEquals(TokenError.KEY_NOT_FOUND, trimmed.error());
        try (Pkcs11Connection c = tokens().connect("pkcs11:token=t%C3%B6k")) {
            assertEquals(List.of("clé-ß", "padded  ", "plain"), c.keyLabels());
        }
    }

    @Test
    void unknownQueryAttributesAreIgnoredAsP11KitDoes() throws Exception {
        String uri = PRINTED.get("plain") + "?x-vendor=1&foo=bar%20baz";
        assertEquals(java.util.Set.of("foo", "x-vendor"), Pkcs11Uri.parse(uri).ignoredQueryAttributes());
        assertArrayEquals(PUBLIC_KEYS.get("plain"), opened(uri).getEncoded());
        TokenException pin = assertThrows(TokenException.class, () -> Pkcs11Uri.parse(PRINTED.get("plain")
                + "?pin-value=" + PIN), "a PIN in a URI is still refused");
        assertEquals(TokenError.INVALID_URI, pin.error());
        TokenException path = assertThrows(TokenException.class, () -> Pkcs11Uri.parse(PRINTED.get("plain")
                + ";x-vendor=1"), "an unknown path attribute matches nothing (RFC 7512 3.3): refused");
        assertEquals(TokenError.INVALID_URI, path.error());
    }

    @Test
    void theIdSelectsTheKeyAndMustAgreeWithTheLabel() throws Exception {
        assertArrayEquals(PUBLIC_KEYS.get("padded  "), opened("pkcs11:token=t%C3%B6k;id=%12").getEncoded());
        TokenException mismatch = assertThrows(TokenException.class,
                () -> opened("pkcs11:token=t%C3%B6k;object=plain;id=%12"));
        assertEquals(TokenError.KEY_NOT_FOUND, mismatch.error());
        // Token fields are blank-padded in CK_TOKEN_INFO: trailing blanks in the URI's value name the same token.
        assertArrayEquals(PUBLIC_KEYS.get("plain"), opened("pkcs11:token=t%C3%B6k%20%20;object=plain").getEncoded());
    }
}
