package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.ClusterJoin;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 16 item 2, the database side of "what happens while it is unreachable": a node whose LISTEN connection was
 * cut misses every notification sent meanwhile (PostgreSQL keeps none for a session that is gone). The old code,
 * once it listened again, waited for the next notification or its periodic re-read, so an account disabled while it
 * was cut off kept its live session there for up to {@code cluster.reread-interval} (30 s here). Now the node reads
 * the cluster's actions as soon as it listens again.
 */
class ClusterSyncReconnectTest {
    private static final char[] PASS = "reconnect test passphrase".toCharArray();
    /** Far beyond the bound below: a node that waited for its re-read would fail the test. */
    private static final Duration REREAD = Duration.ofSeconds(30);

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private ThrowawayPostgres pg;
    private TcpForwarder link;

    @AfterEach
    void stop() throws Exception {
        clusters.afterAll(null);
        if (link != null) {
            link.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aNodeReadsWhatItMissedAsSoonAsItListensAgain() throws Exception {
        pg = ThrowawayPostgres.create();
        java.net.URI direct = java.net.URI.create(pg.url.substring("jdbc:".length()));
        link = new TcpForwarder(new InetSocketAddress(direct.getHost(), direct.getPort()));
        TestCluster a = clusters.in().config(c -> c.database(pg.url, pg.user, "").clusterNodeId("node-a")
                .clusterTiming(REREAD, REREAD.multipliedBy(2))).start();
        Path aData = a.config.dataDir();
        // Node B reaches the database through the link the test cuts; short timeouts so the outage is noticed fast.
        TestCluster b = clusters.in().config(c -> {
            c.database(pg.urlThrough(link.hostPort()), pg.user, "").clusterNodeId("node-b")
                    .clusterTiming(REREAD, REREAD.multipliedBy(2))
                    .databaseTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
            try {
                ClusterJoin.copySecrets(aData, c.build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return c;
        }).start();
        a.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        a.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        try (OcaSession alice = OcaSession.login(b.address(), "alice", b.passphrase(PASS), b.pinned(),
                new OcaSession.Options());
                OcaSession root = OcaSession.login(a.address(), "root", a.passphrase(PASS), a.pinned(),
                        new OcaSession.Options())) {
            link.down();
            // B's LISTEN connection is gone; its live session goes on meanwhile (it answers from memory).
            assertEquals(CoreCommands.PONG.id(), alice.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            List<RispCommand> r = root.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                    "alice".getBytes(StandardCharsets.UTF_8)));
            assertEquals(CoreCommands.OK.id(), r.get(r.size() - 1).id(), r::toString);
            Thread.sleep(1500); // the notification went out while B could not hear it
            assertTrue(b.sessions.list().stream().anyMatch(s -> s.username().equals("alice")),
                    "B cannot have learnt of it yet");
            long back = System.nanoTime();
            link.up();
            while (b.sessions.list().stream().anyMatch(s -> s.username().equals("alice"))) {
                // B's store retries after its outage back-off (at most 5 s); then B listens and reads at once.
                assertTrue(System.nanoTime() - back < Duration.ofSeconds(10).toNanos(),
                        "alice's session on B outlived the link's return by 10 s (the re-read interval is 30 s)");
                Thread.sleep(20);
            }
            System.out.println("cluster: B applied the action it missed "
                    + (System.nanoTime() - back) / 1_000_000 + " ms after the database link came back");
            EndedSessions.assertEndedBy(alice, ErrorCode.NOT_AUTHENTICATED);
        }
    }
}
