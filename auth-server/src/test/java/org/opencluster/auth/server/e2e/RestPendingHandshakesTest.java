package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Issue 12, row 5: 64 bare REST CLIENT_HELLOs from 4 addresses (16 each, the per-source cap) took every pending
 * slot, and every other REST or web login got 503 until the 5-minute idle reap, which they then re-armed. Now a
 * newcomer takes the oldest pending slot of the largest source, and pending sessions end at the handshake deadline.
 */
class RestPendingHandshakesTest {
    private static final char[] PASS = TestCluster.ALICE_PASS;
    private static final CommandRegistry COMMANDS = CommandRegistry.builder().include(CoreCommands.registry())
            .include(AdminCommands.registry()).build();
    private static final String[] HOGS = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};

    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(Duration handshakeTimeout) throws Exception {
        cluster = TestCluster.httpsWithAlice(dir, c -> c.handshakeTimeout(handshakeTimeout));
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String bareHello() {
        return "{\"clientHello\":\"" + RestClient.b64(new ClientHandshake("x", (u, e) -> null, c -> { },
                java.util.Set.of(0x0103), SuiteRegistry.standard(), COMMANDS, new java.security.SecureRandom())
                .start()) + "\"}";
    }

    /** Sends {@code perSource} bare CLIENT_HELLOs from each hog address; returns how many sessions were created. */
    private int flood(int perSource) throws Exception {
        int created = 0;
        for (String hog : HOGS) {
            Socket s = SourceSockets.tls(cluster.server.httpsAddress().orElseThrow(), hog, cluster.serverCert);
            sockets.add(s);
            for (int i = 0; i < perSource; i++) {
                created += SourceSockets.postJson(s, "/api/v1/sessions", bareHello()) == 201 ? 1 : 0;
            }
        }
        return created;
    }

    @Test
    void bareHellosFromFourAddressesDoNotKeepAFifthOut() throws Exception {
        start(Duration.ofMinutes(5));
        int created = flood(17);
        RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        for (int i = 0; i < 3; i++) {
            // The old server answered 503 here for as long as the hogs kept sending.
            assertEquals(200, rest.login("alice", cluster.passphrase(PASS), cluster.pinned(), COMMANDS).delete());
        }
        assertEquals(68, created, "each hello is answered (a hog's own oldest pending session makes room)");
    }

    /**
     * Issue 12 leftover: REST pending and idle sessions timed out on the wall clock, so a clock stepped forward (NTP,
     * an operator) ended every session in progress and a clock stepped back kept them. Timeouts now run on a
     * monotonic ticker: the wall clock's jumps neither end nor extend a session.
     */
    @Test
    void aJumpingWallClockNeitherEndsNorExtendsAPendingSession() throws Exception {
        start(Duration.ofSeconds(30));
        RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        RestClient.Session pending = rest.new Session(handshake());
        cluster.clock.advance(Duration.ofHours(1)); // past the handshake deadline and the idle time, on the wall
        assertEquals(200, pending.login().delete(), "the login goes on: the wall clock does not end it");
        cluster.clock.advance(Duration.ofHours(-2)); // and back, before the session began
        RestClient.Session late = rest.new Session(handshake());
        cluster.ticker.advance(Duration.ofSeconds(31));
        org.opencluster.auth.client.login.LoginException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.opencluster.auth.client.login.LoginException.class, late::login);
        assertEquals(org.opencluster.auth.protocol.command.ErrorCode.NOT_FOUND.code(), e.code(), e.getMessage());
    }

    private ClientHandshake handshake() {
        return new ClientHandshake("alice", cluster.passphrase(PASS), cluster.pinned(), java.util.Set.of(0x0103),
                SuiteRegistry.standard(), COMMANDS, new java.security.SecureRandom());
    }

    @Test
    void pendingSessionsEndAtTheHandshakeDeadline() throws Exception {
        start(Duration.ofSeconds(2));
        flood(16);
        assertTrue(cluster.server.httpsSessionCount() > 0);
        // The old server kept them for the 5-minute idle time.
        Eventually.equals(0, cluster.server::httpsSessionCount, 6_000, "pending REST sessions after the deadline");
    }
}
