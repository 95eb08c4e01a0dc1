package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.WebAuthnCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;

/**
 * The web page keeps device tokens as the CLI does (docs/PROTOCOL.md 5.14): after a security-key login it holds the
 * server's DEVICE_TOKEN in localStorage for this origin and username, sends it with the next login, and so is not
 * locked out of an account that strangers locked by failing from other addresses. alice has a passphrase, so her
 * account is guessable and the account lock applies to her security-key logins from unknown devices too.
 */
@Tag("browser")
class BrowserDeviceTokenTest {
    private static final int PER_ACCOUNT = 5;

    @TempDir
    Path dir;
    private TestCluster cluster;
    private Browser browser;
    private VirtualAuthenticator key;
    private String origin;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.httpsWithAlice(dir, b -> b);
        browser = new Browser(cluster.serverCert, Files.createDirectories(dir.resolve("profile")));
        origin = "https://localhost:" + cluster.server.httpsAddress().orElseThrow().getPort();
        browser.driver.get(origin + "/");
        key = ((HasVirtualAuthenticator) browser.driver).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL).setHasUserVerification(true)
                .setIsUserVerified(true).setHasResidentKey(false));
        registerAlicesKey();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aBrowserWithItsDeviceTokenLogsInToAnAccountStrangersLocked() throws Exception {
        assertNull(storedToken("alice"), "the enrolment login (registering the key) asks for no device token");
        assertLogsIn();
        String token = storedToken("alice");
        assertTrue(token != null && cluster.throttle.deviceTokens().verify(decode(token), "alice").isPresent(),
                "after one login the page holds a device token the server issued for alice: " + token);

        lockAliceFromElsewhere();
        assertLogsIn();
        assertTrue(cluster.throttle.deviceTokens().verify(decode(storedToken("alice")), "alice").isPresent());

        // The same browser without its token is an unknown device: the account lock applies to it.
        forget("alice");
        assertTrue(clickLogin("RATE_LIMITED").contains("RATE_LIMITED"), status());
        assertNull(storedToken("alice"), "a refused login gives no token");
    }

    @Test
    void aTokenTheServerDoesNotAcceptIsReplacedAndAnUnusableOneDropped() throws Exception {
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[41]);
        store("alice", forged);
        assertLogsIn();
        String issued = storedToken("alice");
        assertNotEquals(forged, issued, "the server answered the invalid token with a new one, which replaced it");
        assertTrue(cluster.throttle.deviceTokens().verify(decode(issued), "alice").isPresent());

        store("alice", "not base64url!");
        assertLogsIn();
        assertTrue(cluster.throttle.deviceTokens().verify(decode(storedToken("alice")), "alice").isPresent(),
                "an unusable stored value is dropped; the login asks for a new token");
    }

    private void registerAlicesKey() throws Exception {
        String code;
        try (OcaSession tcp = OcaSession.login(cluster.address(), "alice", cluster.passphrase(TestCluster.ALICE_PASS),
                cluster.pinned(), new OcaSession.Options())) {
            code = new String(tcp.exec(RispCommand.none(WebAuthnCommands.WEBAUTHN_REGISTRATION_CODE.id())).get(0)
                    .copyBytes(), StandardCharsets.US_ASCII);
        }
        type("username", "alice");
        type("code", code);
        browser.driver.findElement(By.id("register")).click();
        assertTrue(waitForStatus("registered").contains("registered for alice"), status());
    }

    /** Five half-logins for alice from five other addresses over TCP: the account is locked for unknown devices. */
    private void lockAliceFromElsewhere() throws Exception {
        for (int i = 0; i < PER_ACCOUNT; i++) {
            ChallengedLogin.tcp(cluster.address(), InetAddress.getByName("127.0.7." + (1 + i)), "alice",
                    cluster.pinned()).close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cluster.throttle.check("alice", "elsewhere") != LoginThrottle.Verdict.ACCOUNT_LOCKED
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(LoginThrottle.Verdict.ACCOUNT_LOCKED, cluster.throttle.check("alice", "elsewhere"));
    }

    private void assertLogsIn() throws InterruptedException {
        assertTrue(clickLogin("logged in").contains("logged in as alice"), status());
    }

    private String clickLogin(String expected) throws InterruptedException {
        browser.driver.executeScript("const s = document.getElementById('status'); s.textContent = ''; s.className = '';");
        browser.driver.findElement(By.id("login")).click();
        return waitForStatus(expected);
    }

    private String storageKey(String username) {
        return "oca.device-token " + origin + " "
                + Base64.getUrlEncoder().withoutPadding().encodeToString(username.getBytes(StandardCharsets.UTF_8));
    }

    private String storedToken(String username) {
        return (String) browser.driver.executeScript("return localStorage.getItem(arguments[0]);",
                storageKey(username));
    }

    private void store(String username, String value) {
        browser.driver.executeScript("localStorage.setItem(arguments[0], arguments[1]);", storageKey(username), value);
    }

    private void forget(String username) {
        browser.driver.executeScript("localStorage.removeItem(arguments[0]);", storageKey(username));
    }

    private static byte[] decode(String token) {
        return Base64.getUrlDecoder().decode(token);
    }

    private void type(String id, String text) {
        browser.driver.findElement(By.id(id)).clear();
        browser.driver.findElement(By.id(id)).sendKeys(text);
    }

    private String status() {
        return browser.driver.findElement(By.id("status")).getText();
    }

    /** Waits (at most 20 s) until the status shows {@code text} or the page reports a failure; returns it. */
    private String waitForStatus(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            boolean failed = "failed".equals(browser.driver.findElement(By.id("status")).getAttribute("class"));
            String t = status();
            if (t.contains(text) || failed) {
                return t;
            }
            Thread.sleep(50);
        }
        return status();
    }
}
