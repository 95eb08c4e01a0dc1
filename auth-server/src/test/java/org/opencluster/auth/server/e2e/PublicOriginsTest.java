package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13, item 6: on embedded defaults a WebAuthn assertion made for any port of the relying-party host was
 * accepted ({@code https://localhost:*}), and the REST Origin check compared the Origin header with the request's
 * own Host header, which the client writes. Both now compare with the public origins: by default exactly the
 * HTTPS listener's own ({@code https://<rp-id>:<port>} and the listen host on that port).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicOriginsTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @TempDir
    static Path dir;
    private TestCluster cluster;
    private InetSocketAddress https;
    private String listenerOrigin;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.https(dir, c -> c, LoginThrottle.builder().build());
        https = cluster.server.httpsAddress().orElseThrow();
        listenerOrigin = "https://localhost:" + https.getPort();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private OcaSession keyLogin(String user, SoftwareAuthenticator key) throws Exception {
        return OcaSession.loginWithSecurityKey(cluster.address(), user, key.login(), cluster.pinned(),
                new OcaSession.Options());
    }

    @Test
    void anAssertionForAnotherPortOfTheRelyingPartyHostIsRefused() throws Exception {
        cluster.person("olive", PASS, Account.Role.USER, KeyType.EC_P256);
        SoftwareAuthenticator key = new SoftwareAuthenticator(cluster.random);
        key.origin = listenerOrigin;
        try (OcaSession s = OcaSession.login(cluster.address(), "olive", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            s.webAuthnRegister(key.create(s.webAuthnRegistrationOptions()));
        }
        try (OcaSession s = keyLogin("olive", key)) {
            assertTrue(s.sessionId().length > 0, "an assertion for the listener's own origin logs in");
        }
        for (String other : new String[] {"https://localhost:" + (https.getPort() + 1), "https://localhost",
            "https://localhost:8443"}) {
            key.origin = other;
            LoginException e = assertThrows(LoginException.class, () -> keyLogin("olive", key), other);
            assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code(), e.getMessage());
        }
    }

    /** One raw request with the given Host and Origin headers; returns the status. */
    private int statusWith(String host, String origin) throws Exception {
        try (Socket s = SourceSockets.tls(https, "127.0.0.1", cluster.serverCert)) {
            String req = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin
                    + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String head = SourceSockets.readHead(in).toLowerCase(Locale.ROOT);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    @Test
    void theOriginCheckComparesWithThePublicOriginsNotTheHostHeader() throws Exception {
        int port = https.getPort();
        assertEquals(200, statusWith("localhost:" + port, listenerOrigin));
        assertEquals(200, statusWith("localhost:" + port, "https://127.0.0.1:" + port), "the listen host's origin");
        // A page on another port of the same host, or a name the client chose, with a Host header to match it.
        assertEquals(403, statusWith("localhost:" + (port + 1), "https://localhost:" + (port + 1)));
        assertEquals(403, statusWith("evil.example", "https://evil.example"));
        assertEquals(403, statusWith("localhost:" + port, "http://localhost:" + port));
        assertEquals(403, statusWith("localhost:" + port, "null"));
    }
}
