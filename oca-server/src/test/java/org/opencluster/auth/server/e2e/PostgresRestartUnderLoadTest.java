package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledOnJre;
import org.junit.jupiter.api.condition.JRE;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.ClusterJoin;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 16 item 3, "PostgreSQL restarted under load": two {@code oca-server run} processes on one PostgreSQL of the
 * test's own ({@link RestartablePostgres}), which the test stops at once (as a crash would) and starts again while
 * clients log in to both nodes without pause. While it is down every login fails with a named code
 * (STORE_UNAVAILABLE, or CLUSTER_STATE_STALE once a node's view is older than {@code cluster.max-staleness}), within
 * the database timeouts (never a hang, never INTERNAL), and {@code /readyz} says 503; once it is back both nodes
 * take logins again by themselves (the same processes, no restart), and every admin action a node acknowledged with
 * OK is in the database. Runs on JDK 17 only, as the other multi-process cluster tests.
 */
@EnabledOnJre(JRE.JAVA_17)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresRestartUnderLoadTest {
    private static final char[] PASS = "restart under load passphrase".toCharArray();
    private static final int NODES = 2;
    /**
     * db.connect-timeout + db.statement-timeout (1 s + 2 s), with a wide margin: on the shared 2-core machine a
     * login alone has taken 9 s at a load average of 25. A refusal that took longer waited on something unbounded
     * (the old pool's 30-second connection timeout).
     */
    private static final long LONGEST_REFUSAL_MS = 15_000;
    /**
     * How soon after PostgreSQL is back both nodes take logins again: the store's back-off (at most 5 s) and a
     * re-read, then one login, which the same loaded machine has made take 10 s and more.
     */
    private static final long RECOVERY_MS = 30_000;
    private static final Set<Integer> NAMED_OUTAGE_CODES = Set.of(ErrorCode.STORE_UNAVAILABLE.code(),
            ErrorCode.CLUSTER_STATE_STALE.code());

    private Path dir;
    private RestartablePostgres pg;
    private TestCluster setup;
    private final List<Path> configs = new ArrayList<>();
    private final List<InetSocketAddress> risp = new ArrayList<>();
    private final List<Integer> adminPorts = new ArrayList<>();
    private final ServerProcess[] nodes = new ServerProcess[NODES];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    void startNodes() throws Exception {
        pg = RestartablePostgres.create();
        dir = Files.createTempDirectory("oca-pg-restart-nodes-");
        for (int n = 1; n <= NODES; n++) {
            risp.add(new InetSocketAddress("127.0.0.1", freePort()));
            adminPorts.add(freePort());
        }
        Path first = dir.resolve("node1");
        setup = new TestCluster(nodeConfig(first, 1), ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
        setup.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        for (int i = 0; i < 4; i++) {
            setup.person("user" + i, PASS, Account.Role.USER, KeyType.EC_P256);
        }
        for (int i = 0; i < 60; i++) {
            setup.person("w" + i, PASS, Account.Role.USER, KeyType.EC_P256);
        }
        setup.close();
        for (int n = 1; n <= NODES; n++) {
            Path data = dir.resolve("node" + n);
            if (n > 1) {
                ClusterJoin.copySecrets(first.resolve("data"), nodeConfig(data, n));
            }
            Files.createDirectories(data);
            Path file = data.resolve("oca-server.properties");
            Files.writeString(file, String.join("\n", "data.dir=" + data.resolve("data"),
                    "listen=127.0.0.1:" + risp.get(n - 1).getPort(), "admin.listen=" + adminPorts.get(n - 1),
                    "db.url=" + pg.url(), "db.user=" + pg.user(), "db.connect-timeout=PT1S",
                    "db.statement-timeout=PT2S", "cluster.node-id=node" + n, "cluster.reread-interval=PT0.5S",
                    "cluster.max-staleness=PT3S", "envelope.min-memory-kib=" + TestCluster.TEST_KDF.memoryKiB(),
                    "envelope.min-iterations=" + TestCluster.TEST_KDF.iterations(),
                    "login.max-source-failures=100000", ""));
            configs.add(file);
        }
        for (int n = 0; n < NODES; n++) {
            nodes[n] = ServerProcess.start(configs.get(n));
        }
    }

    private ServerConfig nodeConfig(Path data, int n) {
        return ServerConfig.builder().dataDir(data.resolve("data")).listen(risp.get(n - 1))
                .database(pg.url(), pg.user(), "").clusterNodeId("node" + n).build();
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (ServerProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
        if (dir != null) {
            RestartablePostgres.deleteTree(dir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private OcaSession login(int node, String user) throws Exception {
        return OcaSession.login(risp.get(node), user, setup.passphrase(PASS), setup.pinned(), new OcaSession.Options());
    }

    /** The status and body of {@code /readyz} on a node's admin listener ("503 not ready: ..."). */
    private String readyz(int node) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts.get(node) + "/readyz"))
                .timeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().trim();
    }

    /** Clients logging in (and sending one PING) without pause, client i always on node i % NODES. */
    private ClusterLoginLoad load(int clients) {
        return new ClusterLoginLoad(clients, client -> login(client % NODES, "user" + client), 50);
    }

    /** Waits (at most 60 s) until the load has logged in on every node: the measurement starts from a working cluster. */
    private void awaitLoginsOnEveryNode(ClusterLoginLoad load) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        for (int n = 0; n < NODES; n++) {
            int node = n;
            while (load.attempts().stream().noneMatch(a -> a.client() % NODES == node && a.ok())) {
                assertTrue(System.nanoTime() < until, "no login on node " + (node + 1) + ": " + load.profile(1000));
                Thread.sleep(100);
            }
        }
    }

    /** Waits until {@code node} takes a login again; returns how long it took after {@code from} (nanoTime). */
    private long millisUntilLoginWorks(int node, long from) throws Exception {
        while (true) {
            try (OcaSession s = login(node, "user3")) {
                return (System.nanoTime() - from) / 1_000_000;
            } catch (LoginException e) {
                assertTrue(NAMED_OUTAGE_CODES.contains(e.code()), "refused with 0x" + Integer.toHexString(e.code())
                        + ": " + e.getMessage());
                assertTrue(System.nanoTime() - from < RECOVERY_MS * 1_000_000, "node " + (node + 1)
                        + " took no login within " + RECOVERY_MS + " ms of PostgreSQL's return");
                Thread.sleep(100);
            }
        }
    }

    /**
     * PostgreSQL stops for 5 s under a steady login load on both nodes. Every failure is a login refused with a named
     * code, from attempts that overlapped the outage, none waiting much beyond the database timeouts; {@code /readyz} answers
     * 503 meanwhile; after the restart both processes (the same ones) take logins again within seconds.
     */
    @Test
    @Order(1)
    void loginsFailClearlyWhilePostgresIsDownAndRecoverWithoutRestartingTheNodes() throws Exception {
        long[] pids = {nodes[0].pid(), nodes[1].pid()};
        long stoppedAt;
        long restartedAt;
        long[] recoveredMs = new long[NODES];
        String[] readyDuring = new String[NODES];
        ClusterLoginLoad load = load(4);
        try (load) {
            awaitLoginsOnEveryNode(load);
            stoppedAt = load.nowMs();
            pg.stop();
            Thread.sleep(3500); // past cluster.max-staleness (3 s) too
            for (int n = 0; n < NODES; n++) {
                readyDuring[n] = readyz(n);
            }
            Thread.sleep(1500);
            long back = System.nanoTime();
            pg.start();
            restartedAt = load.nowMs();
            for (int n = 0; n < NODES; n++) {
                recoveredMs[n] = millisUntilLoginWorks(n, back);
            }
            Thread.sleep(3000);
        }
        System.out.println("pg restart: stopped at " + stoppedAt + " ms, started again at " + restartedAt
                + " ms; logins again on node1/node2 " + recoveredMs[0] + "/" + recoveredMs[1]
                + " ms after; ok/failed per second: " + load.profile(1000));
        List<ClusterLoginLoad.Attempt> failed = load.failures();
        System.out.println("pg restart: " + failed.size() + " failed logins, e.g. " + failed.stream().limit(5)
                .map(ClusterLoginLoad.Attempt::outcome).toList());
        assertTrue(failed.size() > 0, "the outage was seen by the load: " + load.profile(1000));
        for (ClusterLoginLoad.Attempt a : failed) {
            assertTrue(a.code() != null && NAMED_OUTAGE_CODES.contains(a.code()), "not a named outage code: " + a);
            assertTrue(a.ended() >= stoppedAt && a.began() <= restartedAt + RECOVERY_MS,
                    "a failure outside the outage: " + a);
        }
        for (ClusterLoginLoad.Attempt a : failed) {
            assertTrue(a.ended() - a.began() < LONGEST_REFUSAL_MS, "a refusal waited too long: " + a);
        }
        long lastSecondOk = load.attempts().stream().filter(a -> a.ended() > load.nowMs() - 2000).filter(ClusterLoginLoad.Attempt::ok)
                .count();
        assertTrue(lastSecondOk > 0 && load.attempts().stream().filter(a -> a.began() > restartedAt + RECOVERY_MS)
                .allMatch(ClusterLoginLoad.Attempt::ok), "after the recovery every login succeeds: " + load.profile(1000));
        for (int n = 0; n < NODES; n++) {
            // Past cluster.max-staleness the node says why it takes no login (before it even asks the database).
            assertTrue(readyDuring[n].startsWith("503 not ready: cluster state"), "node " + (n + 1)
                    + " /readyz while PostgreSQL was down: " + readyDuring[n]);
            assertEquals("200 ready", readyz(n), "node " + (n + 1) + " /readyz after");
            assertEquals(pids[n], nodes[n].pid(), "the same process");
            assertTrue(nodes[n].alive(), "node " + (n + 1) + " still runs:\n" + nodes[n].output());
        }
    }

    /**
     * An admin disables one account after another while PostgreSQL stops and starts again under the login load:
     * every ACCOUNT_DISABLE answered OK is in the database afterwards (OK means committed), and the admin's session
     * on the node, established before the outage, still works after it.
     */
    @Test
    @Order(2)
    void nothingAcknowledgedIsLostAcrossTheRestart() throws Exception {
        Set<String> acknowledged = new HashSet<>();
        List<String> refused = new ArrayList<>();
        ClusterLoginLoad load = load(4);
        try (load; OcaSession root = login(0, "root")) {
            awaitLoginsOnEveryNode(load);
            long back = 0;
            for (int i = 0; i < 60; i++) {
                if (i == 10) {
                    pg.stop();
                } else if (i == 35) {
                    back = System.nanoTime();
                    pg.start();
                }
                String name = "w" + i;
                List<RispCommand> r = root.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                        name.getBytes(StandardCharsets.UTF_8)));
                RispCommand last = r.get(r.size() - 1);
                if (last.id() == CoreCommands.OK.id()) {
                    acknowledged.add(name);
                } else {
                    assertEquals(CoreCommands.ERROR.id(), r.get(0).id(), r::toString);
                    assertTrue(r.get(0).number() == ErrorCode.STORE_UNAVAILABLE.code(), "not STORE_UNAVAILABLE: " + r);
                    refused.add(name);
                }
                Thread.sleep(150);
            }
            millisUntilLoginWorks(1, back);
            assertEquals(CoreCommands.PONG.id(), root.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
        System.out.println("pg restart: " + acknowledged.size() + " disables acknowledged, " + refused.size()
                + " refused during the outage; ok/failed per second: " + load.profile(1000));
        assertTrue(!refused.isEmpty() && acknowledged.size() >= 10, "acknowledged " + acknowledged + ", refused "
                + refused);
        Set<String> stored = new HashSet<>();
        try (Connection c = DriverManager.getConnection(pg.url(), pg.user(), "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT username FROM account WHERE disabled")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(stored);
        assertTrue(lost.isEmpty(), "acknowledged but not stored: " + lost);
    }
}
