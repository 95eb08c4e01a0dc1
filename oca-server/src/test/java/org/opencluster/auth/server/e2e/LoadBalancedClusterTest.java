package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.opencluster.auth.client.SessionEndedException;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.ClusterJoin;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 16 item 4: a real cluster, started as an operator would: three {@code oca-server run} JVMs with their own
 * configuration files and data directories (nodes 2 and 3 joined node 1 with {@link ClusterJoin}, what
 * {@code init --join} does) on one PostgreSQL, behind HAProxy in TCP mode (round robin, health checks every
 * 300 ms, connection failures redispatched). Needs PostgreSQL ({@code OCA_TEST_POSTGRES_URL}) and {@code haproxy}
 * (bin/setup installs it); under CI=true both must be there. Runs on JDK 17 only (three extra JVMs take time; the
 * behaviour under test is the processes', not the JDK's): on JDK 25 bin/test's second pass skips it.
 */
@EnabledOnJre(JRE.JAVA_17)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancedClusterTest {
    private static final char[] PASS = "load balanced passphrase".toCharArray();
    private static final String HAPROXY = "/usr/sbin/haproxy";

    private Path dir;
    private ThrowawayPostgres pg;
    /** Node 1 in process, only to make the accounts; closed before the node processes start. */
    private TestCluster setup;
    private final List<Path> configs = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final ServerProcess[] nodes = new ServerProcess[3];
    private Process haproxy;
    private InetSocketAddress balancer;

    @BeforeAll
    void startCluster() throws Exception {
        RealComponent.require(Files.isExecutable(Path.of(HAPROXY)), "HAProxy (apt-get install haproxy)");
        pg = ThrowawayPostgres.create();
        dir = Files.createTempDirectory("oca-lb-");
        for (int i = 0; i < 3; i++) {
            ports.add(freePort());
        }
        Path first = dir.resolve("node1");
        ServerConfig c1 = nodeConfig(first, 1);
        setup = new TestCluster(c1, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
        setup.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        for (int i = 0; i < 4; i++) {
            setup.person("user" + i, PASS, Account.Role.USER, KeyType.EC_P256);
        }
        setup.close();
        for (int n = 1; n <= 3; n++) {
            Path data = dir.resolve("node" + n);
            if (n > 1) {
                ClusterJoin.copySecrets(first.resolve("data"), nodeConfig(data, n));
            }
            Path file = data.resolve("oca-server.properties");
            Files.createDirectories(data);
            Files.writeString(file, "data.dir=" + data.resolve("data") + "\nlisten=127.0.0.1:" + ports.get(n - 1)
                    + "\ndb.url=" + pg.url + "\ndb.user=" + pg.user + "\ncluster.node-id=node" + n
                    + "\nenvelope.min-memory-kib=" + TestCluster.TEST_KDF.memoryKiB() + "\nenvelope.min-iterations="
                    + TestCluster.TEST_KDF.iterations() + "\nlogin.max-source-failures=100000\n");
            configs.add(file);
        }
        for (int n = 0; n < 3; n++) {
            nodes[n] = ServerProcess.start(configs.get(n));
        }
        balancer = new InetSocketAddress("127.0.0.1", freePort());
        Path cfg = dir.resolve("haproxy.cfg");
        StringBuilder b = new StringBuilder("global\n    maxconn 4000\n"
                + "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 120s\n    timeout server 120s\n"
                + "    retries 3\n    option redispatch 1\n"
                + "frontend risp\n    bind " + balancer.getHostString() + ":" + balancer.getPort() + "\n"
                + "    default_backend nodes\n"
                + "backend nodes\n    balance roundrobin\n"
                + "    default-server check inter 300ms fall 1 rise 1\n");
        for (int n = 0; n < 3; n++) {
            b.append("    server node").append(n + 1).append(" 127.0.0.1:").append(ports.get(n)).append('\n');
        }
        Files.writeString(cfg, b.toString());
        haproxy = new ProcessBuilder(HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(balancer)) {
            assertTrue(System.nanoTime() < until, "HAProxy did not listen: " + Files.readString(dir.resolve("haproxy.log")));
            Thread.sleep(50);
        }
    }

    private ServerConfig nodeConfig(Path data, int n) {
        return ServerConfig.builder().dataDir(data.resolve("data")).listen(new InetSocketAddress("127.0.0.1",
                ports.get(n - 1))).database(pg.url, pg.user, "").clusterNodeId("node" + n).build();
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (haproxy != null) {
            haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ServerProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(InetSocketAddress a) {
        try (Socket s = new Socket()) {
            s.connect(a, 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private OcaSession login(InetSocketAddress where, String user) throws Exception {
        return OcaSession.login(where, user, setup.passphrase(PASS), setup.pinned(), new OcaSession.Options());
    }

    private InetSocketAddress node(int n) {
        return new InetSocketAddress("127.0.0.1", ports.get(n - 1));
    }

    /** Logins through the balancer reach every node, and each node takes a login directly. */
    @Test
    @Order(1)
    void loginsThroughTheBalancerAndOnEveryNode() throws Exception {
        for (int i = 0; i < 6; i++) {
            try (OcaSession s = login(balancer, "user" + (i % 4))) {
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            }
        }
        for (int n = 1; n <= 3; n++) {
            try (OcaSession s = login(node(n), "user1")) {
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            }
        }
    }

    /**
     * An admin on node 1 disables an account whose live session is on node 3 (another process): it ends within a
     * second with NOT_AUTHENTICATED and a close frame; enabling it again lets it in on every node.
     */
    @Test
    @Order(2)
    void anAccountDisabledOnOneProcessEndsItsSessionOnAnotherWithinASecond() throws Exception {
        OcaSession victim = login(node(3), "user3");
        try (OcaSession root = login(node(1), "root")) {
            long start = System.nanoTime();
            assertEquals(CoreCommands.OK.id(), root.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                    "user3".getBytes(StandardCharsets.UTF_8))).get(0).id());
            long ms = -1;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                try {
                    List<RispCommand> r = victim.exec(RispCommand.none(CoreCommands.PING.id()));
                    if (r.get(0).id() == CoreCommands.ERROR.id()) {
                        assertEquals(ErrorCode.NOT_AUTHENTICATED.code(), r.get(0).number());
                        ms = (System.nanoTime() - start) / 1_000_000;
                        break;
                    }
                } catch (SessionEndedException e) {
                    assertEquals(ErrorCode.NOT_AUTHENTICATED.code(), e.serverCode());
                    ms = (System.nanoTime() - start) / 1_000_000;
                    break;
                }
                Thread.sleep(20);
            }
            System.out.println("cluster: account disabled on node1, session on node3 ended after " + ms + " ms");
            assertTrue(ms >= 0 && ms < 1000, "ended after " + ms + " ms");
            assertEquals(CoreCommands.OK.id(), root.exec(RispCommand.string(AdminCommands.ACCOUNT_ENABLE.id(),
                    "user3".getBytes(StandardCharsets.UTF_8))).get(0).id());
        } finally {
            victim.close();
        }
    }

    /** Outcomes of a steady login load through the balancer, by 250 ms slot. */
    private final class Load implements AutoCloseable {
        final long start = System.nanoTime();
        final Map<Long, int[]> slots = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        Load(int clients) {
            for (int i = 0; i < clients; i++) {
                String user = "user" + i;
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        long slot = (System.nanoTime() - start) / 250_000_000L;
                        try (OcaSession s = login(balancer, user)) {
                            s.exec(RispCommand.none(CoreCommands.PING.id()));
                            slots.computeIfAbsent(slot, k -> new int[2])[0]++;
                        } catch (Exception e) {
                            slots.computeIfAbsent(slot, k -> new int[2])[1]++;
                            failures.add(slot * 250 + " ms, ended " + nowMs() + " ms: " + describe(e));
                        }
                    }
                }, "load-" + i);
                t.start();
                threads.add(t);
            }
        }

        long nowMs() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        /** "slot: ok/failed" per 250 ms, the dip a reader looks for. */
        String profile() {
            StringBuilder b = new StringBuilder();
            slots.keySet().stream().sorted().forEach(k -> b.append(k * 250).append("ms=").append(slots.get(k)[0])
                    .append('/').append(slots.get(k)[1]).append(' '));
            return b.toString();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    private static String describe(Exception e) {
        if (e instanceof LoginException l) {
            return "login refused 0x" + Integer.toHexString(l.code()) + " " + l.getMessage();
        }
        if (e instanceof SessionEndedException s) {
            return "session ended 0x" + Integer.toHexString(s.serverCode());
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * kill -9 of one node under a steady login load: HAProxy routes around it (health check 300 ms, failed
     * connections redispatched); logins in flight on the killed node fail, every login from 1 s after the kill
     * succeeds, and the node's restart on the same data rejoins.
     */
    @Test
    @Order(3)
    void killNineOfOneNodeUnderLoad() throws Exception {
        long killedAt;
        Load load = new Load(2);
        try (load) {
            Thread.sleep(2000);
            killedAt = load.nowMs();
            nodes[1].kill9();
            Thread.sleep(4000);
        }
        System.out.println("cluster: kill -9 of node2 at " + killedAt + " ms; ok/failed per 250 ms: " + load.profile());
        System.out.println("cluster: failures: " + load.failures);
        for (String f : load.failures) {
            // Logins in flight on the killed node when it died, and those HAProxy sent it before its next health
            // check: each began before 1 s after the kill and ended after the kill.
            long began = Long.parseLong(f.substring(0, f.indexOf(' ')));
            long ended = Long.parseLong(f.substring(f.indexOf("ended ") + 6, f.indexOf(" ms:")));
            assertTrue(began < killedAt + 1000 && ended >= killedAt, "a failure outside the kill: " + f);
        }
        long after = load.slots.entrySet().stream().filter(e -> e.getKey() * 250 >= killedAt + 1000)
                .mapToInt(e -> e.getValue()[0]).sum();
        assertTrue(after > 0, "logins go on after the kill: " + load.profile());
        nodes[1] = ServerProcess.start(configs.get(1));
    }

    /**
     * Rolling restart of the three nodes (SIGTERM: the graceful drain, then a new process on the same data and
     * port) under load: no login fails except those a stopping node cut (SHUTTING_DOWN, or the session it ended).
     */
    @Test
    @Order(4)
    void rollingRestartLosesOnlyTheSessionsItCuts() throws Exception {
        Load load = new Load(2);
        try (load) {
            for (int n = 0; n < 3; n++) {
                Thread.sleep(800);
                nodes[n].stop();
                nodes[n] = ServerProcess.start(configs.get(n));
                // back in HAProxy's pool at its next health check (300 ms)
                Thread.sleep(600);
            }
            Thread.sleep(800);
        }
        System.out.println("cluster: rolling restart; ok/failed per 250 ms: " + load.profile());
        System.out.println("cluster: failures: " + load.failures);
        for (String f : load.failures) {
            assertTrue(f.contains("0x" + Integer.toHexString(ErrorCode.SHUTTING_DOWN.code())) || f.contains("session ended"),
                    "a failure that is not a cut session: " + f);
        }
        assertTrue(load.slots.values().stream().mapToInt(s -> s[0]).sum() > 0, load.profile());
    }
}
