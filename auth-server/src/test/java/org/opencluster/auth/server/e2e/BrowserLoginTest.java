package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/** The web page in real headless Chromium: the page's own WebCrypto handshake, WebAuthn, encrypted commands. */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserLoginTest {
    @TempDir
    static Path dir;
    private TestCluster cluster;
    private Browser browser;
    private String page;

    @BeforeAll
    void start() throws Exception {
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .httpsListen(new InetSocketAddress("127.0.0.1", 0)).build();
        cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
        browser = new Browser(cluster.serverCert, Files.createDirectories(dir.resolve("profile")));
        page = "https://localhost:" + cluster.server.httpsAddress().orElseThrow().getPort() + "/";
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private VirtualAuthenticator authenticator() {
        return ((HasVirtualAuthenticator) browser.driver).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL).setHasUserVerification(true)
                .setIsUserVerified(true).setHasResidentKey(false));
    }

    /** Waits until element {@code id} shows {@code text}, or the page reports a failure; returns its text. */
    private String waitFor(String id, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String t = browser.driver.findElement(By.id(id)).getText();
            if (t.contains(text) || "failed".equals(browser.driver.findElement(By.id("status")).getAttribute("class"))) {
                return t;
            }
            Thread.sleep(50);
        }
        return browser.driver.findElement(By.id(id)).getText();
    }

    @Test
    void webAuthnIsAvailableOnThePageOverTheServersCertificate() throws Exception {
        browser.driver.get(page);
        VirtualAuthenticator a = authenticator();
        try {
            Object r = browser.driver.executeAsyncScript("const done = arguments[0];"
                    + "navigator.credentials.create({publicKey: {challenge: new Uint8Array(32), rp: {id: 'localhost',"
                    + " name: 'x'}, user: {id: new Uint8Array(8), name: 'u', displayName: 'u'},"
                    + " pubKeyCredParams: [{type: 'public-key', alg: -7}]}}).then(c => done('created ' + c.type),"
                    + " e => done('refused: ' + e.name + ' ' + e.message));");
            assertEquals("created public-key", r);
        } finally {
            ((HasVirtualAuthenticator) browser.driver).removeVirtualAuthenticator(a);
        }
    }

    @Test
    void thePageLogsInWithAnEnrolmentCodeAndSendsAnEncryptedCommand() throws Exception {
        browser.driver.get(page);
        String code = cluster.server.enrolmentCode().orElseThrow();
        Object r = browser.driver.executeAsyncScript("window.oca.enrolLogin(arguments[0], arguments[1])"
                + ".then(arguments[2]);", "browser-root", code);
        assertEquals("ok", r);
        assertTrue(browser.driver.findElement(By.id("suite")).getText().contains("OCA_P256_AES_256_GCM_SHA384"));
        assertEquals(32, browser.driver.findElement(By.id("session-id")).getText().length());
        browser.driver.findElement(By.id("command")).sendKeys("PING");
        browser.driver.findElement(By.id("send")).click();
        waitFor("reply", "ERROR");
        // An enrolment session may only enrol: the dispatcher's refusal comes back through the page's own keys.
        assertTrue(browser.driver.findElement(By.id("reply")).getText().contains("ERROR 0x202"),
                browser.driver.findElement(By.id("reply")).getText());
        browser.screenshot("enrolment-session");
    }
}
