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
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;

/**
 * Issue 12, item 3 and row 6: one source (here 127.0.0.2) cannot hold more than its share of connections or of
 * handshakes in progress, on TCP and HTTPS, while another source (127.0.0.1) still logs in. Before, one address
 * could take every slot up to {@code connections.max}.
 */
class SourceCapsTest {
    private static final char[] PASS = TestCluster.ALICE_PASS;
    private static final String HOG = "127.0.0.2";
    private static final int ATTEMPTS = 20;

    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(int connectionsPerSource, int handshakesPerSource) throws Exception {
        cluster = TestCluster.httpsWithAlice(dir, c -> c.perSource(connectionsPerSource, handshakesPerSource)
                .handshakeTimeout(Duration.ofSeconds(30)));
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

    /** Opens {@link #ATTEMPTS} silent TCP connections from the hog; returns how many the server kept open. */
    private int silentTcpConnectionsKept() throws Exception {
        for (int i = 0; i < ATTEMPTS; i++) {
            sockets.add(SourceSockets.tcp(cluster.address(), HOG));
        }
        int open = 0;
        for (Socket s : sockets) {
            open += SourceSockets.closedWithin(s, 100) ? 0 : 1;
        }
        return open;
    }

    private void aliceLogsInOverTcpAndRest() throws Exception {
        try (OcaSession s = OcaSession.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options().timeout(Duration.ofSeconds(10)))) {
            assertTrue(s.sessionId().length > 0);
        }
        CommandRegistry commands = CommandRegistry.builder().include(CoreCommands.registry())
                .include(AdminCommands.registry()).build();
        new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert)
                .login("alice", cluster.passphrase(PASS), cluster.pinned(), commands).delete();
    }

    @Test
    void oneSourceHoldsAtMostItsHandshakesWhileAnotherLogsIn() throws Exception {
        start(64, 4);
        assertEquals(4, silentTcpConnectionsKept());
        aliceLogsInOverTcpAndRest();
    }

    @Test
    void oneSourceHoldsAtMostItsConnectionsOnTcpAndHttpsWhileAnotherLogsIn() throws Exception {
        start(4, 16);
        assertEquals(4, silentTcpConnectionsKept());
        int tls = 0;
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                sockets.add(SourceSockets.tls(cluster.server.httpsAddress().orElseThrow(), HOG, cluster.serverCert));
                tls++;
            } catch (java.io.IOException e) {
                // refused: closed during the TLS handshake
            }
        }
        assertEquals(4, tls, "TLS connections the server accepted from one source");
        aliceLogsInOverTcpAndRest();
    }
}
