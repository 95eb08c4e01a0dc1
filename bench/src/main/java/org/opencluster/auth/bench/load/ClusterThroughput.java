package org.opencluster.auth.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.boot.ClusterJoin;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 16's cluster figures: logins per second through HAProxy (TCP mode, round robin) with 1 and then 3
 * {@code oca-server run} processes on one PostgreSQL, the same client load in the same run (so the ratio is this
 * machine's, whatever its load); the statements one login costs the database (the nodes' own count,
 * {@code oca_store_statements_total}, over the logins, the nodes' periodic re-reads included); and the CPU each
 * process kind spends per login (nodes, the bench's clients, PostgreSQL's backends for this database, HAProxy),
 * which says what bounds the rate on a small machine. Logins are an Ed25519 service's (a key held in memory, so the
 * client's cost is the protocol's, not a KDF's).
 *
 * <p>Needs a PostgreSQL it may create a database on ({@code OCA_BENCH_POSTGRES_URL}, else
 * {@code OCA_TEST_POSTGRES_URL}; user {@code ..._USER}, default postgres) and {@code /usr/sbin/haproxy}; without them
 * it prints why and measures nothing. Not in bin/bench's default sections: {@code bin/bench --only cluster}.
 */
final class ClusterThroughput {
    private static final String HAPROXY = "/usr/sbin/haproxy";
    private static final String SERVICE = "svc-cluster-bench";
    /** {@code oca-server run}'s class (module oca-server is on the bench's class path at run time only). */
    private static final String SERVER_MAIN = "org.opencluster.auth.server.AuthServerMain";
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux: /proc/<pid>/stat's unit

    private ClusterThroughput() {
    }

    static void run(Path work, boolean quick, Results out) throws Exception {
        String adminUrl = System.getenv().getOrDefault("OCA_BENCH_POSTGRES_URL",
                System.getenv("OCA_TEST_POSTGRES_URL"));
        String user = System.getenv().getOrDefault("OCA_BENCH_POSTGRES_USER",
                System.getenv().getOrDefault("OCA_TEST_POSTGRES_USER", "postgres"));
        if (adminUrl == null || adminUrl.isEmpty() || !Files.isExecutable(Path.of(HAPROXY))) {
            System.out.println("cluster: SKIPPED: needs a PostgreSQL (OCA_BENCH_POSTGRES_URL or OCA_TEST_POSTGRES_URL;"
                    + " bin/test shows how to start one) and " + HAPROXY + " (apt-get install haproxy)");
            return;
        }
        String db = "oca_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        try (Connection c = DriverManager.getConnection(adminUrl, user, ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + db;
        try {
            measure(work.resolve("cluster-" + db), url, user, db, quick, out);
        } finally {
            try (Connection c = DriverManager.getConnection(adminUrl, user, ""); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    /** One node's ports and files. */
    private record Node(int n, int port, int adminPort, Path dataDir, Path config) {
    }

    private static void measure(Path dir, String url, String user, String db, boolean quick, Results out)
            throws Exception {
        List<Node> nodes = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            Path home = dir.resolve("node" + n);
            nodes.add(new Node(n, freePort(), freePort(), home.resolve("data"), home.resolve("oca-server.properties")));
        }
        // Node 1's data and the service account, made in process as an operator's init and enrolment would.
        SecureRandom random = new SecureRandom();
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, random);
        byte[] serverSpki;
        try (AuthServer first = AuthServer.builder(config(nodes.get(0), url, user)).random(random).start();
                SoftwareToken key = SoftwareToken.fromPkcs8(SERVICE, pkcs8, List.of())) {
            first.provision(SERVICE, Account.Kind.SERVICE, Account.Role.USER, OursFixture.csr(key, SERVICE), null,
                    Duration.ofDays(30));
            serverSpki = first.serverCertificate().getPublicKey().getEncoded();
        }
        for (Node node : nodes) {
            if (node.n() > 1) {
                ClusterJoin.copySecrets(nodes.get(0).dataDir(), config(node, url, user));
            }
            Files.createDirectories(node.config().getParent());
            // Every bench client is one source (127.0.0.1): the per-source caps and hello cookies are off here, as
            // in the logins section; what is measured is the login and the shared state behind it.
            Files.writeString(node.config(), String.join("\n", "data.dir=" + node.dataDir(),
                    "listen=127.0.0.1:" + node.port(), "admin.listen=" + node.adminPort(), "db.url=" + url,
                    "db.user=" + user, "cluster.node-id=node" + node.n(), "connections.per-source=20000",
                    "handshakes.per-source=20000", "hello.cookies=off", "login.max-source-failures=100000", ""));
        }
        ServerTrust trust = OursFixture.pinnedTo(serverSpki);
        LoginCredential credential = OursFixture.loadedKey(SERVICE, pkcs8);
        int clients = quick ? 6 : 8;
        double warmup = quick ? 6 : 12;
        double seconds = quick ? 8 : 20;
        Figures one = round(dir, nodes.subList(0, 1), db, url, user, trust, credential, clients, warmup, seconds);
        Figures three = round(dir, nodes, db, url, user, trust, credential, clients, warmup, seconds);
        for (Figures f : List.of(one, three)) {
            String k = "cluster." + f.nodes + "node";
            out.put(k + ".logins_per_s", f.loginsPerSecond());
            out.put(k + ".statements_per_login", f.statements / (double) f.logins);
            out.put(k + ".failed_logins", f.failed);
            out.put(k + ".cpu_ms_per_login.nodes", f.cpuMsPerLogin(f.nodesCpu));
            out.put(k + ".cpu_ms_per_login.clients", f.cpuMsPerLogin(f.clientsCpu));
            out.put(k + ".cpu_ms_per_login.postgres", f.cpuMsPerLogin(f.postgresCpu));
            out.put(k + ".cpu_ms_per_login.haproxy", f.cpuMsPerLogin(f.haproxyCpu));
            out.put(k + ".cpu_cores_busy", (f.nodesCpu + f.clientsCpu + f.postgresCpu + f.haproxyCpu) / f.seconds);
        }
        out.put("cluster.ratio_3nodes_over_1node", three.loginsPerSecond() / one.loginsPerSecond());
    }

    private static ServerConfig config(Node node, String url, String user) {
        return ServerConfig.builder().dataDir(node.dataDir()).listen(new InetSocketAddress("127.0.0.1", node.port()))
                .database(url, user, "").clusterNodeId("node" + node.n()).build();
    }

    /** What one round measured; CPU in seconds over the measured window. */
    private record Figures(int nodes, double seconds, long logins, long failed, long statements, double nodesCpu,
            double clientsCpu, double postgresCpu, double haproxyCpu) {
        double loginsPerSecond() {
            return logins / seconds;
        }

        double cpuMsPerLogin(double cpuSeconds) {
            return cpuSeconds * 1000 / Math.max(1, logins);
        }
    }

    private static Figures round(Path dir, List<Node> nodes, String db, String url, String user, ServerTrust trust,
            LoginCredential credential, int clients, double warmup, double seconds) throws Exception {
        List<Process> started = new ArrayList<>();
        Process haproxy = null;
        try {
            for (Node node : nodes) {
                started.add(startNode(node));
            }
            for (Node node : nodes) {
                awaitListening(new InetSocketAddress("127.0.0.1", node.port()), started);
            }
            InetSocketAddress balancer = new InetSocketAddress("127.0.0.1", freePort());
            haproxy = startHaproxy(dir.resolve("haproxy-" + nodes.size() + ".cfg"), balancer, nodes);
            awaitListening(balancer, List.of(haproxy));
            LongAdder ok = new LongAdder();
            LongAdder failed = new LongAdder();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        try (OcaSession s = OcaSession.login(balancer, SERVICE, credential, trust,
                                new OcaSession.Options())) {
                            ok.increment();
                        } catch (Exception e) {
                            failed.increment();
                        }
                    }
                }, "cluster-client-" + i);
                t.start();
                threads.add(t);
            }
            Thread.sleep((long) (warmup * 1000));
            List<Long> pgPids = postgresBackends(url, user, db);
            List<Long> nodePids = started.stream().map(Process::pid).toList();
            long okBefore = ok.sum();
            long failedBefore = failed.sum();
            long statementsBefore = statements(nodes);
            double nodesBefore = cpuSeconds(nodePids);
            double pgBefore = cpuSeconds(pgPids);
            double haproxyBefore = cpuSeconds(List.of(haproxy.pid()));
            double clientsBefore = ownCpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long logins = ok.sum() - okBefore;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            Figures f = new Figures(nodes.size(), elapsed, logins, failed.sum() - failedBefore,
                    statements(nodes) - statementsBefore, cpuSeconds(nodePids) - nodesBefore,
                    ownCpuSeconds() - clientsBefore, cpuSeconds(pgPids) - pgBefore,
                    cpuSeconds(List.of(haproxy.pid())) - haproxyBefore);
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            System.out.printf(Locale.ROOT, "cluster: %d node(s) through HAProxy, %d clients: %.1f logins/s over %.1f s"
                    + " (%d failed); PostgreSQL backends measured: %d%n", nodes.size(), clients,
                    f.loginsPerSecond(), elapsed, f.failed(), pgPids.size());
            return f;
        } finally {
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
            for (Process p : started) {
                p.destroy(); // SIGTERM: the node drains and deletes its session rows
            }
            for (Process p : started) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static Process startNode(Node node) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                System.getProperty("java.class.path"), SERVER_MAIN, "run", "--config",
                node.config().toString()).redirectErrorStream(true)
                .redirectOutput(node.config().resolveSibling("server.log").toFile()).start();
    }

    private static Process startHaproxy(Path cfg, InetSocketAddress balancer, List<Node> nodes) throws IOException {
        StringBuilder b = new StringBuilder("global\n    maxconn 4000\n"
                + "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n"
                + "    retries 3\n    option redispatch 1\n"
                + "frontend risp\n    bind 127.0.0.1:" + balancer.getPort() + "\n    default_backend nodes\n"
                + "backend nodes\n    balance roundrobin\n    default-server check inter 1s\n");
        for (Node node : nodes) {
            b.append("    server node").append(node.n()).append(" 127.0.0.1:").append(node.port()).append('\n');
        }
        Files.writeString(cfg, b.toString());
        return new ProcessBuilder(HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(cfg.resolveSibling(cfg.getFileName() + ".log").toFile()).start();
    }

    private static void awaitListening(InetSocketAddress a, List<Process> owners) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(a, 200);
                return;
            } catch (IOException notYet) {
                for (Process p : owners) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("a process exited before " + a + " listened");
                    }
                }
                if (System.nanoTime() > until) {
                    throw new IllegalStateException(a + " did not listen within 90 s");
                }
                Thread.sleep(100);
            }
        }
    }

    /** The nodes' own statement counts, summed ({@code oca_store_statements_total} on each admin listener). */
    private static long statements(List<Node> nodes) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long sum = 0;
        for (Node node : nodes) {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort()
                    + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            sum += text.lines().filter(l -> l.startsWith("oca_store_statements_total ")).mapToLong(l -> (long) Double
                    .parseDouble(l.substring(l.indexOf(' ') + 1).trim())).sum();
        }
        return sum;
    }

    /** The PostgreSQL backends serving {@code db} now (the nodes' pools: they stay for the round). */
    private static List<Long> postgresBackends(String url, String user, String db) throws Exception {
        List<Long> pids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = ?"
                        + " AND pid <> pg_backend_pid()")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getLong(1));
                }
            }
        }
        return pids;
    }

    /** User + system CPU seconds of these processes (from /proc; a process gone meanwhile counts 0). */
    private static double cpuSeconds(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            } catch (IOException | RuntimeException gone) {
                // ended: its time is lost to the figure, which then errs low
            }
        }
        return ticks / (double) CLOCK_TICKS_PER_SECOND;
    }

    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
