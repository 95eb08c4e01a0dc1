package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.ClusterJoin;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.session.LiveSession;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 16 items 1, 2 and 4 with two nodes on one PostgreSQL (separate servers, their own data directories; B joined
 * A with {@link ClusterJoin}, as {@code oca-server init --join} does). The re-read interval is 5 s, so anything
 * that arrives within a second came by LISTEN/NOTIFY. Each test names what the old code did.
 */
class ClusterNodesTest {
    private static final char[] PASS = "cluster test passphrase".toCharArray();
    /** The bound for an admin action to reach every node. */
    private static final long WITHIN_MS = 1000;

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private ThrowawayPostgres pg;
    private TestCluster a;
    private TestCluster b;
    private final List<OcaSession> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        pg = ThrowawayPostgres.create();
        a = clusters.in().config(c -> node(c, "node-a")).start();
        Path aData = a.config.dataDir();
        b = clusters.in().config(c -> {
            try {
                ClusterJoin.copySecrets(aData, node(c, "node-b").build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return node(c, "node-b");
        }).start();
        a.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        for (String user : new String[] {"alice", "bob", "frank"}) {
            a.person(user, PASS, Account.Role.USER, KeyType.EC_P256);
        }
    }

    private ServerConfig.Builder node(ServerConfig.Builder c, String id) {
        return c.database(pg.url, pg.user, "").clusterNodeId(id)
                .clusterTiming(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(15));
    }

    @AfterEach
    void stop() throws Exception {
        for (OcaSession s : open) {
            s.close();
        }
        // the servers first (Clusters closes them after this), then the database they use
        clusters.afterAll(null);
        if (pg != null) { // null when PostgreSQL is missing outside CI: the test was skipped before it began
            pg.close();
        }
    }

    private OcaSession login(TestCluster node, String user) throws Exception {
        OcaSession s = OcaSession.login(node.address(), user, node.passphrase(PASS), node.pinned(),
                new OcaSession.Options());
        open.add(s);
        return s;
    }

    private static List<RispCommand> admin(OcaSession root, RispCommand command) throws Exception {
        List<RispCommand> r = root.exec(command);
        assertEquals(CoreCommands.OK.id(), r.get(r.size() - 1).id(), r::toString);
        return r;
    }

    /** Milliseconds until {@code done} holds (fails after 5 s). */
    private static long millisUntil(BooleanSupplier done) throws InterruptedException {
        long start = System.nanoTime();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "not within 5 s");
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * The issue: an admin on A disabled alice and her live session on B kept working (B never heard of it). Now B
     * ends it within a second, with NOT_AUTHENTICATED and a close frame, and B refuses her next login.
     */
    @Test
    void anAccountDisabledOnOneNodeEndsItsSessionOnTheOtherWithinASecond() throws Exception {
        OcaSession alice = login(b, "alice");
        OcaSession root = login(a, "root");
        admin(root, RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(), "alice".getBytes(StandardCharsets.UTF_8)));
        long ms = millisUntil(() -> b.sessions.list().stream().noneMatch(s -> s.username().equals("alice")));
        assertTrue(ms < WITHIN_MS, "took " + ms + " ms");
        EndedSessions.assertEndedBy(alice, ErrorCode.NOT_AUTHENTICATED);
        assertThrows(LoginException.class, () -> login(b, "alice"));
    }

    /**
     * The issue: A disabled a suite; B kept negotiating it under the old policy version, and a session on B using it
     * kept working; B's admin then got CONFLICT on every change until restarted. Now B's session ends within a
     * second with SUITE_DISABLED, and B's admin changes the policy from the current version.
     */
    @Test
    void aSuiteDisabledOnOneNodeEndsItsSessionsOnTheOtherWithinASecond() throws Exception {
        OcaSession frank = login(b, "frank");
        int suite = frank.suite().id();
        OcaSession root = login(a, "root");
        root.exec(RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), suite));
        long ms = millisUntil(() -> !b.policies.current().isEnabled(suite) && b.sessions.size() == 0);
        assertTrue(ms < WITHIN_MS, "took " + ms + " ms");
        EndedSessions.assertEndedBy(frank, HandshakeError.SUITE_DISABLED.code());
        OcaSession rootOnB = login(b, "root");
        List<RispCommand> r = rootOnB.exec(RispCommand.integer(AdminCommands.SUITE_ENABLE.id(), suite));
        assertEquals(AdminCommands.SUITE_POLICY.id(), r.get(0).id(), "no CONFLICT: " + r);
        millisUntil(() -> a.policies.current().isEnabled(suite));
    }

    /**
     * The issue: ADMIN_SESSIONS on A did not show sessions on B, and A could not end them. Now A lists B's sessions
     * and ending one on A ends it on B within a second.
     */
    @Test
    void adminSessionsShowsEveryNodeAndEndsASessionOnAnother() throws Exception {
        OcaSession bob = login(b, "bob");
        long bobId = b.sessions.list().stream().filter(s -> s.username().equals("bob")).findFirst()
                .map(LiveSession::id).orElseThrow();
        OcaSession root = login(a, "root");
        // B writes its new session at its next pass (at most the re-read interval; at once on its next wake-up).
        millisUntil(() -> a.sessions.listCluster().stream().anyMatch(s -> s.id() == bobId));
        List<RispCommand> listed = root.exec(RispCommand.none(AdminCommands.SESSIONS_LIST.id()));
        assertTrue(listed.stream().anyMatch(c -> c.id() == AdminCommands.SESSION_ID.id() && c.number() == bobId),
                listed::toString);
        admin(root, RispCommand.integer(AdminCommands.SESSION_END.id(), bobId));
        long ms = millisUntil(() -> b.sessions.find(bobId).isEmpty() || !isLocal(b, bobId));
        assertTrue(ms < WITHIN_MS, "took " + ms + " ms");
        EndedSessions.assertEndedBy(bob, ErrorCode.NOT_AUTHENTICATED);
    }

    private static boolean isLocal(TestCluster node, long id) {
        return node.sessions.list().stream().anyMatch(s -> s.id() == id);
    }

    /**
     * The issue: failure counts lived in each node's memory and did not add up. Now 3 failures on A and 2 on B lock
     * the account (limit 5) on both.
     */
    @Test
    void lockoutCountsAddUpAcrossNodes() throws Exception {
        char[] wrong = "not the passphrase".toCharArray();
        for (TestCluster node : new TestCluster[] {a, a, a, b, b}) {
            assertThrows(LoginException.class, () -> OcaSession.login(node.address(), "bob",
                    node.passphrase(wrong), node.pinned(), new OcaSession.Options()));
        }
        // The server counts a failure as the login ends, after the client was told: wait for the fifth.
        LoginThrottle.Attempt next = LoginThrottle.Attempt.unknownDevice("bob", "127.0.0.1");
        millisUntil(() -> b.throttle.check(next) == LoginThrottle.Verdict.ACCOUNT_LOCKED);
        for (TestCluster node : new TestCluster[] {a, b}) {
            LoginException e = assertThrows(LoginException.class, () -> login(node, "bob"));
            assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e.getMessage());
        }
    }

    /**
     * The issue: a second node initialised on its own on the same database got its own secrets, so comparing two
     * nodes' answers told which usernames exist. Now it refuses to start.
     */
    @Test
    void aNodeWithItsOwnSecretsRefusesToStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> clusters.in().config(c -> node(c, "node-c")).start());
        assertTrue(e.getMessage().contains("init --join"), e.getMessage());
    }
}
