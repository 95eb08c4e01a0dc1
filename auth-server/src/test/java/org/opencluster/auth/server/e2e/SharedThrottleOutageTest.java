package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 16 with the login throttle's buckets in PostgreSQL: recording a login's outcome is then a transaction, and
 * the database may stop answering just then (here: every byte held, connections open, so each statement waits out
 * {@code db.statement-timeout}, 2 s). The old code recorded it on the I/O thread whenever the proof's own check was
 * arithmetic (a key-agreement login) or the connection was gone (a hang-up, a deadline): that thread serves many
 * connections, and every established session on it stopped answering for seconds per login; a failure the
 * database refused to record then ended the login with INTERNAL instead of LOGIN_FAILED.
 */
class SharedThrottleOutageTest {
    private static final char[] PASS = "throttle outage passphrase".toCharArray();
    /** Far below one statement timeout (2 s): a PING that waited for the database would take longer. */
    private static final long PROMPT_MS = 1000;

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private ThrowawayPostgres pg;
    private TcpForwarder link;
    private TestCluster node;
    /** Established sessions, several so that every I/O thread of the node holds at least one, most likely. */
    private final List<OcaSession> live = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        pg = ThrowawayPostgres.create();
        java.net.URI direct = java.net.URI.create(pg.url.substring("jdbc:".length()));
        link = new TcpForwarder(new InetSocketAddress(direct.getHost(), direct.getPort()));
        node = clusters.in().config(c -> c.database(pg.urlThrough(link.hostPort()), pg.user, "")
                .clusterNodeId("node-a").clusterTiming(Duration.ofSeconds(5), Duration.ofSeconds(60))
                .databaseTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))).start();
        node.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        node.person("bob", PASS, Account.Role.USER, KeyType.EC_P256);
        for (int i = 0; i < 6; i++) {
            live.add(OcaSession.login(node.address(), "alice", node.passphrase(PASS), node.pinned(),
                    new OcaSession.Options()));
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (link != null) {
            link.resume(); // the node's close writes to the database
        }
        for (OcaSession s : live) {
            s.close();
        }
        clusters.afterAll(null);
        if (link != null) {
            link.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** The slowest PING round trip over every established session, in milliseconds. */
    private long slowestPingMillis() throws Exception {
        long slowest = 0;
        for (OcaSession s : live) {
            long t = System.nanoTime();
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            slowest = Math.max(slowest, (System.nanoTime() - t) / 1_000_000);
        }
        return slowest;
    }

    /** Clients that hang up after LOGIN_CHALLENGE owe the throttle a failure; recording it must not stall others. */
    @Test
    void hangUpsWhileTheDatabaseStallsDoNotHoldUpEstablishedSessions() throws Exception {
        List<ChallengedLogin> halfLogins = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            halfLogins.add(ChallengedLogin.tcp(node.address(), InetAddress.getLoopbackAddress(), "bob",
                    node.pinned()));
        }
        assertTrue(slowestPingMillis() < PROMPT_MS, "prompt before the outage");
        link.stall();
        for (ChallengedLogin c : halfLogins) {
            c.close(); // the node's I/O thread sees the hang-up and settles the login as failed
        }
        Thread.sleep(200);
        long slowest = slowestPingMillis();
        System.out.println("throttle outage: slowest PING after 4 hang-ups with the database stalled: " + slowest
                + " ms");
        assertTrue(slowest < PROMPT_MS, "a PING waited " + slowest + " ms behind the database");
    }

    /**
     * A wrong key-agreement proof (checked by arithmetic alone) while the database stalls: the step that records
     * the failure runs off the I/O thread, established sessions keep answering, and the client is refused as any
     * wrong proof is (LOGIN_FAILED, then close) once the database gives up, never INTERNAL.
     */
    @Test
    void aWrongProofWhileTheDatabaseStallsIsRefusedAsUsualWithoutStallingOthers() throws Exception {
        try (ServerLog log = new ServerLog();
                ChallengedLogin bob = ChallengedLogin.tcp(node.address(), InetAddress.getLoopbackAddress(), "bob",
                        node.pinned())) {
            link.stall();
            bob.sendWrongProof();
            Thread.sleep(200);
            long slowest = slowestPingMillis();
            System.out.println("throttle outage: slowest PING while a wrong proof's failure waits on the database: "
                    + slowest + " ms");
            assertTrue(slowest < PROMPT_MS, "a PING waited " + slowest + " ms behind the database");
            assertTrue(bob.serverClosesWithin(15_000), "the refused login's connection is closed");
            String text = log.text();
            assertTrue(text.contains("event=login.failed user=bob") && text.contains("reason=proof_refused"), text);
            assertTrue(text.contains("event=login.outcome_not_stored user=bob outcome=failed"), text);
            assertFalse(text.contains("event=connection.failed"), "no INTERNAL: " + text);
        }
    }
}
