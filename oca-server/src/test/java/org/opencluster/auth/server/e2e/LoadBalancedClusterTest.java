package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledOnJre;
import org.junit.jupiter.api.condition.JRE;
import java.security.SecureRandom;
import org.opencluster.auth.client.CommandRefusedException;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
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
 * {@code init --join} does) on one PostgreSQL, behind HAProxy in TCP mode with the configuration the README offers
 * (read from it: RISP round robin, HTTPS {@code balance source}, health checks every 300 ms, connection failures
 * redispatched). The scenarios share the three node start-ups (the CI budget): those that need all nodes up run
 * first, then kill -9 and the rolling restart; last, REST through HAProxy in HTTP mode (the README's routing by
 * session id, a second HAProxy process per scenario), ending with a node killed for good. Needs PostgreSQL
 * ({@code OCA_TEST_POSTGRES_URL}) and {@code haproxy} (bin/setup installs it); under CI=true both must be there.
 * Runs on JDK 17 only (three extra JVMs take time; the behaviour under test is the processes', not the JDK's): on
 * JDK 25 bin/test's second pass skips it.
 */
@EnabledOnJre(JRE.JAVA_17)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancedClusterTest {
    private static final char[] PASS = "load balanced passphrase".toCharArray();
    private static final String HAPROXY = "/usr/sbin/haproxy";
    /**
     * The address HAProxy connects to the nodes from, the nodes' {@code proxy.trusted}: not the test clients'
     * 127.0.0.1, whose direct connections to the nodes carry no PROXY header.
     */
    static final String BALANCER_SOURCE = "127.0.0.10";
    /**
     * {@code login.max-source-failures}: above the failures the other scenarios make from 127.0.0.1 in a
     * {@code login.decay}, low enough for the stranger's scenario to pass it quickly.
     */
    private static final int SOURCE_FAILURES = 15;

    private Path dir;
    private ThrowawayPostgres pg;
    /** Node 1 in process, only to make the accounts; closed before the node processes start. */
    private TestCluster setup;
    private final List<Path> configs = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<Integer> httpsPorts = new ArrayList<>();
    private final ServerProcess[] nodes = new ServerProcess[3];
    private Process haproxy;
    private InetSocketAddress balancer;
    private InetSocketAddress httpsBalancer;

    @BeforeAll
    void startCluster() throws Exception {
        RealComponent.require(Files.isExecutable(Path.of(HAPROXY)), "HAProxy (apt-get install haproxy)");
        pg = ThrowawayPostgres.create();
        dir = Files.createTempDirectory("oca-lb-");
        for (int i = 0; i < 3; i++) {
            ports.add(freePort());
            httpsPorts.add(freePort());
        }
        Path first = dir.resolve("node1");
        ServerConfig c1 = nodeConfig(first, 1);
        setup = new TestCluster(c1, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
        setup.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        for (int i = 0; i < 4; i++) {
            setup.person("user" + i, PASS, Account.Role.USER, KeyType.EC_P256);
        }
        for (String scenario : List.of("keyholder", "racer", "guessed", "unstuck0", "unstuck1", "unstuck2",
                "unstuck3", "unstuck4", "unstuck5", "target0", "target1", "target2", "target3", "target4", "target5")) {
            setup.person(scenario, PASS, Account.Role.USER, KeyType.EC_P256);
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
                    + "\nhttps.listen=127.0.0.1:" + httpsPorts.get(n - 1)
                    + "\nwebauthn.origins=" + SoftwareAuthenticator.ORIGIN
                    + "\ndb.url=" + pg.url + "\ndb.user=" + pg.user + "\ncluster.node-id=node" + n
                    + "\nenvelope.min-memory-kib=" + TestCluster.TEST_KDF.memoryKiB() + "\nenvelope.min-iterations="
                    + TestCluster.TEST_KDF.iterations() + "\nlogin.max-source-failures=" + SOURCE_FAILURES
                    + "\nproxy.trusted=" + BALANCER_SOURCE + "/32\n");
            configs.add(file);
        }
        for (int n = 0; n < 3; n++) {
            nodes[n] = ServerProcess.start(configs.get(n));
        }
        balancer = new InetSocketAddress("127.0.0.1", freePort());
        httpsBalancer = new InetSocketAddress("127.0.0.1", freePort());
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, "global\n    maxconn 4000\n" + fromBalancerSource(readmeHaproxySample())
                .replace("bind :4700", "bind 127.0.0.1:" + balancer.getPort())
                .replace("bind :443", "bind 127.0.0.1:" + httpsBalancer.getPort())
                .replaceAll("10\\.0\\.0\\.(\\d):4700", "127.0.0.1:PORT$1")
                .replaceAll("10\\.0\\.0\\.(\\d):8443", "127.0.0.1:HTTPS$1")
                .replace("PORT1", "" + ports.get(0)).replace("PORT2", "" + ports.get(1))
                .replace("PORT3", "" + ports.get(2)).replace("HTTPS1", "" + httpsPorts.get(0))
                .replace("HTTPS2", "" + httpsPorts.get(1)).replace("HTTPS3", "" + httpsPorts.get(2)));
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
                ports.get(n - 1))).httpsListen(new InetSocketAddress("127.0.0.1", httpsPorts.get(n - 1)))
                .database(pg.url, pg.user, "").clusterNodeId("node" + n).build();
    }

    /**
     * The HAProxy configuration the README offers operators ("Running several nodes"), which this test runs with
     * its own addresses: documentation and test cannot drift apart.
     */
    static String readmeHaproxySample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("the very configuration `LoadBalancedClusterTest` runs");
        assertTrue(at > 0, "the README's HAProxy sample is gone");
        int start = readme.indexOf("```\n", at) + 4;
        return readme.substring(start, readme.indexOf("```\n", start));
    }

    /** {@code haproxyConfig} (starting with the README's {@code defaults}) connecting from {@link #BALANCER_SOURCE}. */
    static String fromBalancerSource(String haproxyConfig) {
        assertTrue(haproxyConfig.startsWith("defaults\n"),
                "the README's HAProxy sample no longer starts with defaults");
        return haproxyConfig.replaceFirst("defaults\n", "defaults\n    source " + BALANCER_SOURCE + "\n");
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean accepts(InetSocketAddress a) {
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
    @Order(3)
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

    private static void assertPong(OcaSession s) throws IOException {
        assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
    }

    /**
     * Enrolment through the balancer (the admin's code on whichever node HAProxy picked, the enrolment on
     * whichever it picks next), then the new account logs in on every node: the account, its certificate and the
     * used-up code are in the shared database, not in the memory of the node that enrolled it.
     */
    @Test
    @Order(2)
    void enrolThroughTheBalancerThenLogInOnEveryNode() throws Exception {
        String code;
        try (OcaSession root = login(balancer, "root")) {
            List<RispCommand> r = root.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                    "\0\0newcomer".getBytes(StandardCharsets.UTF_8)));
            assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), r.get(0).id(), r.toString());
            code = StandardCharsets.US_ASCII.decode(r.get(0).bytes()).toString();
        }
        PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
                .policy(EnvelopePolicy.builder().floor(TestCluster.TEST_KDF).build()).build();
        try (OcaSession e = OcaSession.enrol(balancer, "newcomer", code, setup.pinned(), new OcaSession.Options())) {
            Enroller.person(e, "newcomer", PASS, KeyType.EC_P256, envelopes, new SecureRandom());
        }
        LoginException reused = org.junit.jupiter.api.Assertions.assertThrows(LoginException.class,
                () -> OcaSession.enrol(balancer, "newcomer", code, setup.pinned(), new OcaSession.Options()),
                "the code enrolled once, on whichever node");
        assertTrue(reused.getMessage() != null);
        for (int n = 1; n <= 3; n++) {
            try (OcaSession s = login(node(n), "newcomer")) {
                assertPong(s);
            }
        }
    }

    /** WEBAUTHN_REGISTER_BEGIN on node 1 and the key's answer to it (what the client sends as FINISH). */
    private String begunOnNode1(String user, SoftwareAuthenticator key) throws Exception {
        try (OcaSession begin = login(node(1), user)) {
            return key.create(begin.webAuthnRegistrationOptions());
        }
    }

    /**
     * The issue: a security-key registration begun on one node (BEGIN) failed to finish on another (FINISH), the
     * pending registration being in the first node's memory. Now it finishes on node 2, a replay of the same
     * FINISH on node 3 gets CONFLICT, and the key logs in through the balancer.
     */
    @Test
    @Order(4)
    void aSecurityKeyRegistrationBegunOnOneNodeFinishesOnAnother() throws Exception {
        SoftwareAuthenticator key = new SoftwareAuthenticator(new SecureRandom());
        String created = begunOnNode1("keyholder", key);
        try (OcaSession finish = login(node(2), "keyholder")) {
            finish.webAuthnRegister(created);
        }
        try (OcaSession replay = login(node(3), "keyholder")) {
            CommandRefusedException e = org.junit.jupiter.api.Assertions.assertThrows(CommandRefusedException.class,
                    () -> replay.webAuthnRegister(created));
            assertEquals(ErrorCode.CONFLICT.code(), e.code(), e.getMessage());
        }
        for (int i = 0; i < 3; i++) {
            try (OcaSession s = OcaSession.loginWithSecurityKey(balancer, "keyholder", key.login(), setup.pinned(),
                    new OcaSession.Options())) {
                assertPong(s);
            }
        }
    }

    /** Two FINISHes of one registration at the same moment on two processes: exactly one stores the key. */
    @Test
    @Order(5)
    void twoConcurrentFinishesOnTwoNodesStoreTheKeyOnce() throws Exception {
        String created = begunOnNode1("racer", new SoftwareAuthenticator(new SecureRandom()));
        try (OcaSession on2 = login(node(2), "racer"); OcaSession on3 = login(node(3), "racer")) {
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
                for (OcaSession s : List.of(on2, on3)) {
                    results.add(two.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        try {
                            s.webAuthnRegister(created);
                            return 0;
                        } catch (CommandRefusedException e) {
                            return e.code();
                        }
                    }));
                }
                List<Integer> codes = new ArrayList<>();
                for (java.util.concurrent.Future<Integer> f : results) {
                    codes.add(f.get(30, TimeUnit.SECONDS));
                }
                codes.sort(null);
                assertEquals(List.of(0, ErrorCode.CONFLICT.code()), codes, "one OK, one CONFLICT");
            } finally {
                two.shutdownNow();
            }
            assertEquals(1, on2.webAuthnCredentials().size(), "one key stored");
        }
    }

    /**
     * The issue: failure counts lived in each process and did not add up. Five wrong passphrases spread over the
     * three processes lock the account (limit 5) for all of them, through the balancer too.
     */
    @Test
    @Order(6)
    void lockoutCountsAddUpAcrossProcesses() throws Exception {
        char[] wrong = "not the passphrase".toCharArray();
        for (int n : new int[] {1, 2, 3, 1, 2}) {
            org.junit.jupiter.api.Assertions.assertThrows(LoginException.class, () -> OcaSession.login(node(n),
                    "guessed", setup.passphrase(wrong), setup.pinned(), new OcaSession.Options()));
        }
        // Each node counts the failure as the login ends, just after the client gave up: wait for the fifth.
        LoginException locked = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (locked == null && System.nanoTime() < until) {
            try {
                // a wrong passphrase again: a right one would clear the count if it arrived before the lock
                OcaSession.login(node(3), "guessed", setup.passphrase(wrong), setup.pinned(),
                        new OcaSession.Options()).close();
            } catch (LoginException e) {
                if (e.code() == ErrorCode.RATE_LIMITED.code()) {
                    locked = e;
                }
            }
        }
        assertTrue(locked != null, "five failures on three processes locked the account");
        for (InetSocketAddress where : List.of(node(1), node(2), balancer)) {
            LoginException e = org.junit.jupiter.api.Assertions.assertThrows(LoginException.class,
                    () -> login(where, "guessed"), "the right passphrase is refused while locked");
            assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e.getMessage());
        }
    }

    /**
     * {@code proxy.trusted} (README "The client's address: the PROXY protocol"): behind HAProxy with
     * {@code send-proxy-v2} a node counts failed logins per client, not per balancer. A stranger at 127.0.0.2 passes
     * {@code login.max-source-failures} through HAProxy and is locked out; an honest client at 127.0.0.3 without a
     * device token still logs in through the same HAProxy. Before, every client had HAProxy's address, and the
     * stranger's failures locked out every login through it.
     */
    @Test
    @Order(7)
    void aStrangersFailedLoginsThroughTheBalancerDoNotLockOutOtherClients() throws Exception {
        try (SourceRelay stranger = new SourceRelay(java.net.InetAddress.getByName("127.0.0.2"), balancer);
                SourceRelay honest = new SourceRelay(java.net.InetAddress.getByName("127.0.0.3"), balancer)) {
            char[] wrong = "a stranger's guess".toCharArray();
            LoginException locked = null;
            // Wrong passphrases for six accounts in turn, at most four each: no account reaches its own limit (5).
            // (Accounts, not made-up names: a made-up name's decoy envelope costs the client a full Argon2id.)
            for (int i = 0; i < 24 && locked == null; i++) {
                try {
                    OcaSession.login(stranger.address(), "target" + i % 6, setup.passphrase(wrong), setup.pinned(),
                            new OcaSession.Options()).close();
                    throw new AssertionError("a wrong passphrase logged in");
                } catch (LoginException e) {
                    if (e.code() == ErrorCode.RATE_LIMITED.code()) {
                        locked = e;
                    }
                }
            }
            assertTrue(locked != null, "the stranger was not locked out after 24 failed logins through the balancer");
            try (OcaSession s = login(honest.address(), "user2")) {
                assertPong(s);
            }
            LoginException e = org.junit.jupiter.api.Assertions.assertThrows(LoginException.class,
                    () -> login(stranger.address(), "user3"), "the stranger is locked out, right passphrase or not");
            assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e.getMessage());
        }
    }

    /**
     * REST over HTTPS through HAProxy in TCP mode with {@code balance source} (the README's sample): every request
     * of a session (create, handshake steps, frames, close) reaches the node that holds it.
     */
    @Test
    @Order(8)
    void restSessionsThroughTheBalancerKeepTheirNode() throws Exception {
        RestClient rest = new RestClient(httpsBalancer, setup.serverCert);
        for (int i = 0; i < 3; i++) {
            RestClient.Session s = rest.login("user" + i, setup.passphrase(PASS), setup.pinned(),
                    org.opencluster.auth.protocol.command.StandardCommands.registry());
            for (int k = 0; k < 3; k++) {
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            }
            assertEquals(200, s.delete(), "the close reached the session's node");
        }
    }

    /** A steady login load through the balancer, client i as user i. */
    private ClusterLoginLoad loadThroughTheBalancer(int clients) {
        return new ClusterLoginLoad(clients, client -> login(balancer, "user" + client), 0);
    }

    /**
     * kill -9 of one node under a steady login load: HAProxy routes around it (health check 300 ms, failed
     * connections redispatched); logins in flight on the killed node fail, every login from 1 s after the kill
     * succeeds, and the node's restart on the same data rejoins.
     */
    @Test
    @Order(9)
    void killNineOfOneNodeUnderLoad() throws Exception {
        long killedAt;
        ClusterLoginLoad load = loadThroughTheBalancer(2);
        try (load) {
            Thread.sleep(2000);
            killedAt = load.nowMs();
            nodes[1].kill9();
            Thread.sleep(4000);
        }
        System.out.println("cluster: kill -9 of node2 at " + killedAt + " ms; ok/failed per 250 ms: " + load.profile(250));
        System.out.println("cluster: failures: " + load.failures());
        for (ClusterLoginLoad.Attempt f : load.failures()) {
            // Logins in flight on the killed node when it died, and those HAProxy sent it before its next health
            // check: each began before 1 s after the kill and ended after the kill.
            assertTrue(f.began() < killedAt + 1000 && f.ended() >= killedAt, "a failure outside the kill: " + f);
        }
        long after = load.attempts().stream().filter(a -> a.began() >= killedAt + 1000 && a.ok()).count();
        assertTrue(after > 0, "logins go on after the kill: " + load.profile(250));
        nodes[1] = ServerProcess.start(configs.get(1));
    }

    /**
     * Rolling restart of the three nodes (SIGTERM: the graceful drain, then a new process on the same data and
     * port) under load: no login fails except those a stopping node cut (SHUTTING_DOWN, or the session it ended).
     */
    @Test
    @Order(10)
    void rollingRestartLosesOnlyTheSessionsItCuts() throws Exception {
        ClusterLoginLoad load = loadThroughTheBalancer(2);
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
        System.out.println("cluster: rolling restart; ok/failed per 250 ms: " + load.profile(250));
        System.out.println("cluster: failures: " + load.failures());
        for (ClusterLoginLoad.Attempt f : load.failures()) {
            assertTrue(f.outcome().contains("0x" + Integer.toHexString(ErrorCode.SHUTTING_DOWN.code()))
                    || f.outcome().startsWith("session ended"), "a failure that is not a cut session: " + f);
        }
        assertTrue(load.attempts().stream().anyMatch(ClusterLoginLoad.Attempt::ok), load.profile(250));
    }

    /** HAProxy in HTTP mode on {@code sample} in front of the three nodes' HTTPS listeners. */
    private HttpModeBalancer httpModeBalancer(String name, String sample) throws Exception {
        return HttpModeBalancer.start(dir, name, sample, dir.resolve("node1/data/tls-root.crt"), httpsPorts);
    }

    private RestClient.Session restLogin(RestClient rest, String user) throws Exception {
        return rest.login(user, setup.passphrase(PASS), setup.pinned(),
                org.opencluster.auth.protocol.command.StandardCommands.registry());
    }

    private static void assertRestPong(RestClient.Session s) throws Exception {
        assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
    }

    /** The requests HAProxy sent to a server, by REST session id: the servers each session's requests reached. */
    private static Map<String, Set<String>> serversBySession(List<HttpModeBalancer.Route> routes) {
        Map<String, Set<String>> out = new HashMap<>();
        for (HttpModeBalancer.Route r : routes) {
            if (r.session() != null) {
                out.computeIfAbsent(r.session(), k -> new TreeSet<>()).add(r.server());
            }
        }
        return out;
    }

    /**
     * Where the nodes themselves say each REST session lives: the {@code node} column of {@code cluster_session},
     * which each node writes at its next re-read (2 s), keyed by the session's 8-byte id.
     */
    private Map<Long, String> sessionTable(Set<Long> ids) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<Long, String> nodes = new HashMap<>();
        try (Connection c = DriverManager.getConnection(pg.url, pg.user, "")) {
            while (!nodes.keySet().containsAll(ids) && System.nanoTime() < until) {
                Thread.sleep(200);
                try (PreparedStatement ps = c.prepareStatement("SELECT session_id, node FROM cluster_session");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        nodes.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
        }
        assertTrue(nodes.keySet().containsAll(ids), "sessions missing from cluster_session: " + nodes);
        return nodes;
    }

    private static long rispId(RestClient.Session s) {
        return ByteBuffer.wrap(s.handshake.sessionId(), 0, 8).getLong();
    }

    /**
     * REST routed by session id, with traffic: HAProxy in HTTP mode runs the README's sample (TLS ended with its own
     * certificate, which alone the REST client trusts; TLS to the nodes verified with their TLS root; the stick table
     * on the session id). Many REST logins through it, concurrent, several requests each (create, handshake steps,
     * three encrypted PINGs, the close): every one is answered (no 404), HAProxy's log shows every request of a
     * session going to one server, and that server is the node the {@code cluster_session} table names for the
     * session; the sessions as a whole are spread over the nodes.
     */
    @Test
    @Order(11)
    void restRoutedBySessionIdThroughHttpModeHaproxy() throws Exception {
        int sessions = 18;
        int pings = 3;
        try (HttpModeBalancer lb = httpModeBalancer("haproxy-http", HttpModeBalancer.readmeSample())) {
            RestClient rest = new RestClient(lb.address(), lb.certificate());
            ExecutorService clients = Executors.newFixedThreadPool(3);
            List<RestClient.Session> open = new ArrayList<>();
            try {
                List<Future<RestClient.Session>> logins = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    String user = "user" + (i % 4);
                    logins.add(clients.submit(() -> {
                        RestClient.Session s = restLogin(rest, user);
                        for (int k = 0; k < pings; k++) {
                            assertRestPong(s);
                        }
                        return s;
                    }));
                }
                for (Future<RestClient.Session> f : logins) {
                    open.add(f.get(60, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
            Set<Long> ids = new HashSet<>();
            open.forEach(s -> ids.add(rispId(s)));
            Map<Long, String> table = sessionTable(ids);
            int requests = 0;
            for (RestClient.Session s : open) {
                assertEquals(200, s.delete(), "the close reached the session's node");
                requests += 2 + s.answerSizes.size() + pings;
            }
            List<HttpModeBalancer.Route> routes = lb.routes(requests);
            Map<String, Set<String>> servers = serversBySession(routes);
            Set<String> used = new TreeSet<>();
            for (RestClient.Session s : open) {
                String node = table.get(rispId(s));
                assertEquals(Set.of(node), servers.get(s.id), "every request of session " + s.id
                        + " reached the node that holds it");
                used.add(node);
            }
            for (HttpModeBalancer.Route r : routes) {
                assertTrue(r.status() == 200 || r.status() == 201, "a request not answered: " + r);
            }
            System.out.println("cluster: " + sessions + " REST sessions, " + routes.size()
                    + " requests through HTTP-mode HAProxy, sessions per node: " + open.stream().collect(
                            Collectors.groupingBy(s -> table.get(rispId(s)), TreeMap::new, Collectors.counting())));
            assertTrue(used.size() > 1, "the sessions were spread over the nodes: " + used);
        }
    }

    /**
     * The negative control: the same HAProxy sample without its two {@code stick} lines balances every request on
     * its own, so a session's next request reaches another node, which answers 404 ("unknown or ended session"):
     * the stick rules are what make the test above pass. Own accounts, since the logins it breaks are abandoned.
     */
    @Test
    @Order(12)
    void withoutTheStickLinesASessionsNextRequestGets404() throws Exception {
        String sample = HttpModeBalancer.readmeSample();
        String unstuck = sample.lines().filter(l -> !l.strip().startsWith("stick store-response ")
                && !l.strip().startsWith("stick match ")).collect(Collectors.joining("\n", "", "\n"));
        assertEquals(sample.lines().count() - 2, unstuck.lines().count(), "the sample's two stick lines");
        try (HttpModeBalancer lb = httpModeBalancer("haproxy-unstuck", unstuck)) {
            RestClient rest = new RestClient(lb.address(), lb.certificate());
            int notFound = 0;
            for (int i = 0; i < 6; i++) {
                try {
                    RestClient.Session s = restLogin(rest, "unstuck" + i);
                    assertRestPong(s);
                    s.delete();
                } catch (LoginException e) {
                    assertTrue(e.getMessage().startsWith("REST 404"), e.getMessage());
                    assertEquals(ErrorCode.NOT_FOUND.code(), e.code(), e.getMessage());
                    notFound++;
                }
            }
            List<HttpModeBalancer.Route> routes = lb.routes(2 * notFound);
            Map<String, String> createdOn = new HashMap<>();
            for (HttpModeBalancer.Route r : routes) {
                if (r.status() == 201) {
                    createdOn.put(r.session(), r.server());
                }
            }
            long elsewhere = routes.stream().filter(r -> r.status() == 404 && r.session() != null
                    && !r.server().equals(createdOn.get(r.session()))).count();
            System.out.println("cluster: without the stick lines, " + notFound + " of 6 REST logins got 404");
            assertTrue(notFound > 0, "no session's request went astray without the stick lines");
            assertEquals(notFound, elsewhere, "each 404 came from a node other than the session's own: " + routes);
        }
    }

    /**
     * What the README says of a node that dies behind the HTTP-mode balancer: once HAProxy's check has taken it out,
     * its sessions' next request goes to another node, gets 404, and the client logs in again (there); the other
     * nodes' sessions go on. Kills a node for good: the last scenario of the class.
     */
    @Test
    @Order(13)
    void aDeadNodesRestSessionsGet404AndLogInAgainElsewhere() throws Exception {
        try (HttpModeBalancer lb = httpModeBalancer("haproxy-http-kill", HttpModeBalancer.readmeSample())) {
            RestClient rest = new RestClient(lb.address(), lb.certificate());
            List<RestClient.Session> open = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                RestClient.Session s = restLogin(rest, "user" + (i % 4));
                assertRestPong(s);
                open.add(s);
            }
            Map<String, String> createdOn = new HashMap<>();
            int requests = open.stream().mapToInt(s -> 2 + s.answerSizes.size()).sum();
            for (HttpModeBalancer.Route r : lb.routes(requests)) {
                if (r.status() == 201) {
                    createdOn.put(r.session(), r.server());
                }
            }
            // the node of the first session dies (node 3 when HAProxy's round robin started there)
            String victim = createdOn.get(open.get(0).id);
            assertTrue(victim != null && victim.matches("node[123]"), "first session's node: " + createdOn);
            nodes[Integer.parseInt(victim.substring(4)) - 1].kill9();
            lb.awaitDown(victim);
            int again = 0;
            for (RestClient.Session s : open) {
                if (victim.equals(createdOn.get(s.id))) {
                    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalStateException.class, () -> assertRestPong(s));
                    assertTrue(e.getMessage().startsWith("frames: 404"), e.getMessage());
                    RestClient.Session relogin = restLogin(rest, "user0");
                    assertRestPong(relogin);
                    assertEquals(200, relogin.delete());
                    again++;
                } else {
                    assertRestPong(s);
                    assertEquals(200, s.delete());
                }
            }
            for (HttpModeBalancer.Route r : lb.routes()) {
                if (r.status() == 404) {
                    assertTrue(!r.server().equals(victim) && victim.equals(createdOn.get(r.session())),
                            "a 404 for a session of the dead node, from another: " + r);
                }
            }
            System.out.println("cluster: " + victim + " killed behind HTTP-mode HAProxy, " + again + " of "
                    + open.size() + " REST sessions got 404 and logged in again");
        }
    }
}
