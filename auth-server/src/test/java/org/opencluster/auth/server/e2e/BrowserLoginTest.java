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
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.WebAuthnCommands;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.EnrolmentCode;
import org.opencluster.auth.token.KeyType;
import org.openqa.selenium.virtualauthenticator.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
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
        // hello.cookies=always: every login of the page answers a HELLO_RETRY first (section 5.3.11).
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .httpsListen(new InetSocketAddress("127.0.0.1", 0))
                .hello(new org.opencluster.auth.server.login.HelloGate.Settings(
                        org.opencluster.auth.server.login.HelloGate.Mode.ALWAYS, 100, 500)).build();
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
            // The class first: once it says "failed", the text read after it is the final one.
            boolean failed = "failed".equals(browser.driver.findElement(By.id("status")).getAttribute("class"));
            String t = browser.driver.findElement(By.id(id)).getText();
            if (t.contains(text) || failed) {
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
        String code = newCode("browser-root", Account.Role.ADMIN);
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

    private String newCode(String name, Account.Role role) {
        return cluster.server.enrolmentCodes().issue(cluster.store, "enrol", Optional.of(name), role,
                Account.Kind.PERSON, Instant.now().plus(Duration.ofHours(1)));
    }

    private void type(String id, String text) {
        browser.driver.findElement(By.id(id)).clear();
        browser.driver.findElement(By.id(id)).sendKeys(text);
    }

    private String click(String id, String expectedStatus) throws InterruptedException {
        browser.driver.findElement(By.id(id)).click();
        return waitFor("status", expectedStatus);
    }

    private String send(String command) throws InterruptedException {
        browser.driver.findElement(By.id("reply")).getText();
        browser.driver.executeScript("document.getElementById('reply').textContent = '';"
                + "document.getElementById('command').value = arguments[0];", command);
        browser.driver.findElement(By.id("send")).click();
        waitFor("status", "reply received");
        return browser.driver.findElement(By.id("reply")).getText();
    }

    @Test
    void registerASecurityKeyLogInWithItAndSendAnEncryptedCommand() throws Exception {
        VirtualAuthenticator key = authenticator();
        try {
            browser.driver.get(page);
            type("username", "carol");
            type("code", newCode("carol", Account.Role.ADMIN));
            assertTrue(click("register", "registered").contains("security key registered for carol"),
                    browser.driver.findElement(By.id("status")).getText());
            assertEquals(1, key.getCredentials().size());
            assertTrue(click("login", "logged in").contains("logged in as carol"),
                    browser.driver.findElement(By.id("status")).getText());
            assertTrue(browser.driver.findElement(By.id("suite")).getText().contains("0x0103"));
            assertTrue(send("WHOAMI").contains("WHOAMI_IS \"carol\""));
            browser.driver.findElement(By.id("echo-text")).clear();
            browser.driver.findElement(By.id("echo-text")).sendKeys("sealed in the page");
            assertTrue(send("ECHO").contains("ECHO_REPLY \"sealed in the page\""));
            browser.screenshot("security-key-login");

            // A replayed assertion: the last one, presented in a new handshake, is refused by the server.
            Object replay = browser.driver.executeAsyncScript("window.oca.replayLogin('carol').then(arguments[0]);");
            assertTrue(String.valueOf(replay).contains("LOGIN_FAILED"), String.valueOf(replay));

            // A wrong authenticator: one that holds carol's credential id with another key. The browser signs, the
            // server refuses the signature.
            byte[] id = key.getCredentials().get(0).getId();
            ((HasVirtualAuthenticator) browser.driver).removeVirtualAuthenticator(key);
            key = authenticator();
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            java.security.PrivateKey other = g.generateKeyPair().getPrivate();
            key.addCredential(Credential.createNonResidentCredential(id, "localhost",
                    new java.security.spec.PKCS8EncodedKeySpec(other.getEncoded()), 100));
            assertTrue(click("login", "LOGIN_FAILED").contains("LOGIN_FAILED"),
                    browser.driver.findElement(By.id("status")).getText());
            browser.screenshot("wrong-authenticator");

            // A fresh authenticator without any credential: the browser finds nothing to sign with.
            ((HasVirtualAuthenticator) browser.driver).removeVirtualAuthenticator(key);
            key = authenticator();
            String refused = click("login", "NotAllowed");
            assertEquals("failed", browser.driver.findElement(By.id("status")).getAttribute("class"), refused);
        } finally {
            ((HasVirtualAuthenticator) browser.driver).removeVirtualAuthenticator(key);
        }
    }

    @Test
    void theSameAccountLogsInOverTcpWithItsPassphraseAndInTheBrowserWithItsKey() throws Exception {
        char[] pass = "alice pass phrase".toCharArray();
        cluster.person("alice", pass, Account.Role.USER, KeyType.EC_P256);
        String code;
        try (OcaSession tcp = OcaSession.login(cluster.address(), "alice", cluster.passphrase(pass), cluster.pinned(),
                new OcaSession.Options())) {
            code = new String(tcp.exec(RispCommand.none(WebAuthnCommands.WEBAUTHN_REGISTRATION_CODE.id())).get(0)
                    .copyBytes(), StandardCharsets.US_ASCII);
        }
        VirtualAuthenticator key = authenticator();
        try {
            browser.driver.get(page);
            type("username", "alice");
            type("code", code);
            assertTrue(click("register", "registered").contains("registered for alice"),
                    browser.driver.findElement(By.id("status")).getText());
            assertTrue(click("login", "logged in").contains("logged in as alice"),
                    browser.driver.findElement(By.id("status")).getText());
            assertTrue(send("WHOAMI").contains("WHOAMI_IS \"alice\""));
        } finally {
            ((HasVirtualAuthenticator) browser.driver).removeVirtualAuthenticator(key);
        }
        try (OcaSession tcp = OcaSession.login(cluster.address(), "alice", cluster.passphrase(pass), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals("alice", new String(tcp.exec(RispCommand.none(CoreCommands.WHOAMI.id())).get(0).copyBytes(),
                    StandardCharsets.UTF_8));
        }
    }
}
