package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 17 item 5: the operator's listener. {@code /metrics} is scraped over HTTP as Prometheus would, and its
 * counters move with real logins (success and failure) and refusals; {@code /readyz} says 503 with the reason while
 * the store is away and 200 again once it is back; the listener is off unless configured. The old code had no
 * metrics and no health endpoint at all: an operator could not tell "up but every login fails" from healthy.
 */
class AdminListenerTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private TestCluster withAdmin(PrometheusMeterRegistry meters, LoginThrottle throttle) throws Exception {
        return TestCluster.in(dir).config(b -> b.adminListen(new InetSocketAddress("127.0.0.1", 0)))
                .throttle(throttle).server(b -> b.metrics(meters, meters::scrape)).start();
    }

    private static HttpResponse<String> get(TestCluster c, String path) throws Exception {
        InetSocketAddress a = c.server.adminAddress().orElseThrow();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of the samples of {@code name} whose labels include every one of {@code labels} (name="value"). */
    static double sample(String scrape, String name, String... labels) {
        double sum = 0;
        for (String line : scrape.lines().toList()) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            String series = line.substring(0, line.lastIndexOf(' '));
            boolean all = true;
            for (String l : labels) {
                all &= series.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Scrapes until {@code name} with {@code labels} satisfies {@code wanted} (the server counts after it answers). */
    private static String scrapeUntil(TestCluster c, String name, DoublePredicate wanted, String... labels)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> r = get(c, "/metrics");
            assertEquals(200, r.statusCode(), r.body());
            if (wanted.test(sample(r.body(), name, labels))) {
                return r.body();
            }
            assertTrue(System.nanoTime() < deadline, () -> name + " " + String.join(",", labels)
                    + " never satisfied the test; last scrape:\n" + r.body());
            Thread.sleep(50);
        }
    }

    private static OcaSession login(TestCluster c, String user, LoginCredential credential) throws Exception {
        return OcaSession.login(c.address(), user, credential, c.pinned(), new OcaSession.Options());
    }

    @Test
    void metricsCountRealLoginsFailuresLockoutsAndRefusals() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (TestCluster c = withAdmin(meters, LoginThrottle.builder().maxAccountFailures(2)
                .lockout(Duration.ofMinutes(10)).build())) {
            c.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
            c.person("bob", PASS, Account.Role.USER, KeyType.EC_P256);
            String before = get(c, "/metrics").body();
            assertEquals(0, sample(before, "oca_logins_total"), before);
            assertEquals(0, sample(before, "oca_sessions_live"), before);

            try (OcaSession s = login(c, "alice", c.passphrase(PASS))) {
                String during = scrapeUntil(c, "oca_logins_total", v -> v == 1, "result=\"ok\"",
                        "proof=\"key_agreement\"");
                assertEquals(1, sample(during, "oca_sessions_live"), during);
                assertEquals(1, sample(during, "oca_handshake_duration_seconds_count", "result=\"ok\""), during);
                assertTrue(sample(during, "oca_token_operation_duration_seconds_count", "role=\"server\"",
                        "operation=\"sign\"", "outcome=\"ok\"") >= 1, during);
                assertTrue(sample(during, "oca_store_pool_connections", "state=\"idle\"") >= 1, during);
            }
            scrapeUntil(c, "oca_sessions_live", v -> v == 0);

            LoginCredential wrong = Accounts.wrongKey(c, KeyType.EC_P256);
            for (int i = 0; i < 2; i++) {
                assertThrows(LoginException.class, () -> login(c, "bob", wrong));
            }
            scrapeUntil(c, "oca_logins_total", v -> v == 2, "result=\"proof_refused\"", "proof=\"key_agreement\"");
            LoginException locked = assertThrows(LoginException.class, () -> login(c, "bob", c.passphrase(PASS)));
            assertEquals(ErrorCode.RATE_LIMITED.code(), locked.code(), locked::getMessage);
            String after = scrapeUntil(c, "oca_preauth_rejections_total", v -> v == 1, "reason=\"throttled\"");
            assertEquals(1, sample(after, "oca_lockouts_total", "kind=\"account\""), after);
            assertEquals(1, sample(after, "oca_logins_total", "result=\"request_refused\""), after);
            assertEquals(1, sample(after, "oca_logins_total", "result=\"ok\""), "success still counted once");
            assertTrue(!after.contains("alice") && !after.contains("bob") && !after.contains("127.0.0.1"),
                    "no user names or addresses as labels:\n" + after);
        }
    }

    /**
     * {@code /readyz} takes a write to the store: while the embedded database is away it answers 503 with the
     * reason (and {@code /healthz} still 200: the process is alive), and 200 again once the store has reopened the
     * database, without a restart.
     */
    @Test
    void readyzIs503WhileTheStoreIsAwayAndReadyAgainAfter() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (TestCluster c = withAdmin(meters, LoginThrottle.builder().build())) {
            assertEquals(200, get(c, "/readyz").statusCode());
            assertEquals("ready\n", get(c, "/readyz").body());
            HttpResponse<String> notReady;
            try (H2Outage away = H2Outage.of(c.config.dataDir())) {
                notReady = get(c, "/readyz");
                assertEquals(503, notReady.statusCode(), notReady.body());
                assertEquals("not ready: store not writable\n", notReady.body());
                assertEquals(200, get(c, "/healthz").statusCode());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            HttpResponse<String> r = get(c, "/readyz");
            while (r.statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                r = get(c, "/readyz");
            }
            assertEquals(200, r.statusCode(), "the store did not come back within 20 s: " + r.body());
        }
    }

    /** Only GET of the three paths; anything else is refused, and nothing is served without a registry. */
    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (TestCluster c = withAdmin(meters, LoginThrottle.builder().build())) {
            assertEquals(404, get(c, "/admin").statusCode());
            InetSocketAddress a = c.server.adminAddress().orElseThrow();
            HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + a.getPort() + "/metrics")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, delete.statusCode());
            HttpResponse<String> metrics = get(c, "/metrics");
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                    metrics.headers().toString());
        }
    }

    /**
     * Off by default: a server started without {@code admin.listen} has no admin listener; one that had it closes it
     * with the server (its port then refuses connections).
     */
    @Test
    void theListenerIsOffByDefaultAndClosesWithTheServer() throws Exception {
        try (TestCluster plain = TestCluster.in(dir.resolve("plain")).start()) {
            assertTrue(plain.server.adminAddress().isEmpty());
            assertTrue(plain.config.adminListen().isEmpty());
        }
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int port;
        try (TestCluster c = withAdmin(meters, LoginThrottle.builder().build())) {
            port = c.server.adminAddress().orElseThrow().getPort();
            assertEquals("ok\n", get(c, "/healthz").body());
        }
        java.io.IOException refused = assertThrows(java.io.IOException.class, () -> HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
        assertTrue(refused instanceof ConnectException || refused.getCause() instanceof ConnectException,
                refused.toString());
    }
}
