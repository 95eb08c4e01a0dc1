package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * The web page checks the server's ECDSA signature (HS_SERVER_CERTIFICATE_VERIFY) with its own DER reading, in
 * real headless Chromium (issue 13 item 8): with Project Wycheproof's P-256 vectors, every valid signature verifies
 * and every invalid one is refused. The lenient reading let 65 invalid ones verify (e.g. r + 2^256).
 */
@Tag("browser")
class BrowserSignatureTest {
    /** The vectors, kept once in the token-provider's test resources (source and licence noted there). */
    private static final Path VECTORS = Path.of("..", "token-provider", "src", "test", "resources", "org",
            "opencluster", "auth", "token", "piv", "wycheproof", "ecdsa_secp256r1_sha256_test.json");

    @TempDir
    Path dir;

    @Test
    void thePageAcceptsEveryValidWycheproofSignatureAndRefusesEveryInvalidOne() throws Exception {
        String json = Files.readString(VECTORS, StandardCharsets.UTF_8);
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .httpsListen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (TestCluster cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
             Browser browser = new Browser(cluster.serverCert, Files.createDirectories(dir.resolve("profile")))) {
            browser.driver.get("https://localhost:" + cluster.server.httpsAddress().orElseThrow().getPort() + "/");
            Object result = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "const doc = JSON.parse(arguments[0]);"
                    + "const hex = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));"
                    + "(async () => {"
                    + "  let count = 0; const wrong = [];"
                    + "  for (const g of doc.testGroups) for (const t of g.tests) {"
                    + "    count++;"
                    + "    let ok;"
                    + "    try { ok = await window.oca.verifyServer(0x0403, hex(g.publicKeyDer), hex(t.sig), hex(t.msg)); }"
                    + "    catch (e) { ok = 'threw ' + e.message; }"
                    + "    if (ok !== (t.result === 'valid')) wrong.push(t.tcId + ' ' + t.result + ': ' + ok);"
                    + "  }"
                    + "  return count + ' vectors; wrong: ' + JSON.stringify(wrong);"
                    + "})().then(done, (e) => done('failed: ' + e));", json);
            assertEquals("484 vectors; wrong: []", result);
        }
    }
}
