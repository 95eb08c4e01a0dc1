package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 12, row 4: TLS connections trickling a byte at a time held the HTTPS listener, because the only timer was
 * a 120 s idle timer that each byte reset. Now the TLS handshake with the request line and headers has a deadline,
 * and so has the body (here 600 ms and 1 s; PT10S and PT30S by default).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsSlowlorisTest {
    private static final long HEADERS_MILLIS = 600;
    private static final long BODY_MILLIS = 1000;

    @TempDir
    static Path dir;
    private TestCluster cluster;
    private InetSocketAddress https;

    @BeforeAll
    void start() throws Exception {
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .httpsListen(new InetSocketAddress("127.0.0.1", 0))
                .httpsDeadlines(Duration.ofMillis(HEADERS_MILLIS), Duration.ofMillis(BODY_MILLIS)).build();
        cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
        https = cluster.server.httpsAddress().orElseThrow();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    /** Writes {@code bytes} one every 100 ms until the server closes; returns the milliseconds that took (-1: never). */
    private static long trickleUntilClosed(Socket s, byte[] bytes) throws IOException {
        long start = System.nanoTime();
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < bytes.length && i < 40; i++) {
            try {
                out.write(bytes[i]);
                out.flush();
            } catch (IOException e) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (SourceSockets.closedWithin(s, 100)) {
                return (System.nanoTime() - start) / 1_000_000;
            }
        }
        return -1;
    }

    @Test
    void tricklingTlsClientIsCutAtTheHeaderDeadline() throws Exception {
        try (Socket s = SourceSockets.tls(https, "127.0.0.2", cluster.serverCert)) {
            byte[] head = ("POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                    + "a".repeat(100)).getBytes(StandardCharsets.US_ASCII);
            long took = trickleUntilClosed(s, head);
            assertTrue(took >= 0 && took < HEADERS_MILLIS + 1500, "cut after " + took + " ms");
        }
    }

    @Test
    void tricklingTheTlsHandshakeIsCutAtTheHeaderDeadline() throws Exception {
        try (Socket s = SourceSockets.tcp(https, "127.0.0.3")) {
            // The start of a TLS ClientHello record, a byte at a time.
            byte[] hello = new byte[60];
            hello[0] = 0x16;
            hello[1] = 0x03;
            hello[2] = 0x01;
            hello[3] = 0x02;
            long took = trickleUntilClosed(s, hello);
            assertTrue(took >= 0 && took < HEADERS_MILLIS + 1500, "cut after " + took + " ms");
        }
    }

    @Test
    void tricklingTheBodyIsCutAtTheBodyDeadline() throws Exception {
        try (Socket s = SourceSockets.tls(https, "127.0.0.4", cluster.serverCert)) {
            s.getOutputStream().write(("POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + "application/json\r\nContent-Length: 200\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long took = trickleUntilClosed(s, new byte[200]);
            assertTrue(took >= 0 && took < BODY_MILLIS + 1500, "cut after " + took + " ms");
        }
    }

    @Test
    void keepAliveRequestsEachGetTheirOwnDeadline() throws Exception {
        try (Socket s = SourceSockets.tls(https, "127.0.0.5", cluster.serverCert)) {
            assertEquals(400, SourceSockets.postJson(s, "/api/v1/sessions", "{}"));
            for (int i = 0; i < 2; i++) {
                // Between requests the connection may wait longer than the header deadline (the idle timer rules).
                Thread.sleep(HEADERS_MILLIS + 200);
                assertEquals(400, SourceSockets.postJson(s, "/api/v1/sessions", "{}"));
            }
        }
    }

    /** A JSON route refuses a large declared body from its headers (413), without waiting for or holding it. */
    @Test
    void largeDeclaredBodyOnAJsonRouteIsRefusedFromTheHeaders() throws Exception {
        try (Socket s = SourceSockets.tls(https, "127.0.0.6", cluster.serverCert)) {
            s.getOutputStream().write(("POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + "application/json\r\nContent-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout((int) BODY_MILLIS / 2);
            byte[] head = new byte[12];
            int n = s.getInputStream().readNBytes(head, 0, 12);
            assertEquals("HTTP/1.1 413", new String(head, 0, n, StandardCharsets.US_ASCII));
        }
    }
}
