package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.AuthServerMain;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 15 item 2: a write the database did not take is never acknowledged. It answers STORE_UNAVAILABLE with the
 * cause (never OK, never a bare INTERNAL), nothing is handed out that was not stored, and the store heals by itself
 * once the cause is gone; a data directory the server cannot write is refused at start. The full-disk and
 * read-only cases mount a small tmpfs, which needs root (CI runs as root: there a failed mount fails the test).
 */
class StoreFaultsTest {
    private static final char[] ROOT_PASS = "root passphrase".toCharArray();

    @TempDir
    Path dir;

    private static TestCluster cluster(Path data) throws Exception {
        TestCluster c = new TestCluster(ServerConfig.defaults(data), ProofKind.KEY_AGREEMENT,
                LoginThrottle.builder().build(), Pkcs11Tokens.builder().build());
        c.person("root", ROOT_PASS, Account.Role.ADMIN, KeyType.EC_P256);
        c.person("victim", "victim pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        return c;
    }

    private static OcaSession admin(TestCluster c) throws Exception {
        return OcaSession.login(c.address(), "root", c.passphrase(ROOT_PASS), c.pinned(), new OcaSession.Options());
    }

    private static RispCommand issueCode(String name) {
        return RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(), ("\0\0" + name)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The error code of a reply, or -1 for an answer that is not an error. */
    private static long errorCode(List<RispCommand> reply) {
        return !reply.isEmpty() && reply.get(0).id() == CoreCommands.ERROR.id() ? reply.get(0).number() : -1;
    }

    private static String errorText(List<RispCommand> reply) {
        return reply.size() > 1 ? StandardCharsets.UTF_8.decode(reply.get(1).bytes()).toString() : "";
    }

    /** Sends {@code command} until it is not refused as STORE_UNAVAILABLE (at most 15 s); its last reply. */
    private static List<RispCommand> untilHealed(OcaSession s, RispCommand command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<RispCommand> reply = s.exec(command);
        while (errorCode(reply) == ErrorCode.STORE_UNAVAILABLE.code() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            reply = s.exec(command);
        }
        return reply;
    }

    /**
     * The embedded database closes under the store (as H2 does itself after a write error). The old code handed the
     * pool's dead connections out again (H2's "database is closed" is no reason for the pool to drop one, and a
     * connection used within the last 500 ms is not checked), so every operation failed, as a generic error, for as
     * long as operations kept coming; only a restart was sure to help. Now the first one fails as
     * {@link org.opencluster.auth.server.store.StoreException#unavailable() unavailable}, naming the cause, and a
     * retry a moment later succeeds on the reopened database.
     */
    @Test
    void aDatabaseClosedUnderTheStoreFailsAsUnavailableAndReopensWithoutARestart() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        try (org.opencluster.auth.server.store.JdbcAccountStore store = org.opencluster.auth.server.store
                .JdbcAccountStore.open("jdbc:h2:file:" + data.toAbsolutePath().resolve("oca"), "sa", "")) {
            store.createAccount("victim", org.opencluster.auth.server.store.Account.Kind.PERSON, Account.Role.USER,
                    new byte[] {1}, null, null);
            try (Connection other = DriverManager.getConnection(h2Url(data), "sa", "");
                 Statement st = other.createStatement()) {
                st.execute("SHUTDOWN IMMEDIATELY");
            } catch (java.sql.SQLException expected) {
                // the connection that shut the database down is closed with it
            }
            org.opencluster.auth.server.store.StoreException first = org.junit.jupiter.api.Assertions.assertThrows(
                    org.opencluster.auth.server.store.StoreException.class, () -> store.setDisabled("victim", true));
            assertTrue(first.unavailable() && first.getMessage().contains("closed"), first.getMessage());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean healed = false;
            while (!healed && System.nanoTime() < deadline) {
                try {
                    healed = store.setDisabled("victim", true);
                } catch (org.opencluster.auth.server.store.StoreException outage) {
                    assertTrue(outage.unavailable(), outage.getMessage());
                    Thread.sleep(50);
                }
            }
            assertTrue(healed, "the store did not reopen the database within 10 s");
            assertTrue(store.findAccount("victim").orElseThrow().disabled());
        }
    }

    /**
     * A REST login while the embedded database is closed under the store. The old code let the store's
     * {@code unavailable} failure escape the REST session as any other runtime error: a 500 {@code INTERNAL} with a
     * stack trace in the log per request, where TCP answers {@code STORE_UNAVAILABLE}. Now the handshake flight that
     * names the account answers 503 with code {@code 0x0502} and {@code Retry-After}, and nothing is counted against
     * the caller: with a throttle that locks after one failure, the next login (on the reopened database) succeeds.
     */
    @Test
    void aRestLoginDuringADatabaseOutageAnswersStoreUnavailableAndCountsNothing() throws Exception {
        try (TestCluster c = TestCluster.https(dir, b -> b, LoginThrottle.builder().maxAccountFailures(1)
                .lockout(Duration.ofMinutes(5)).build())) {
            c.person("victim", "victim pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
            RestClient rest = c.rest();
            RestClient.Session pending = rest.new Session(new org.opencluster.auth.client.login.ClientHandshake(
                    "victim", c.passphrase("victim pass".toCharArray()), c.pinned(),
                    java.util.Set.of(0x0101, 0x0102, 0x0103, 0x0104),
                    org.opencluster.auth.protocol.suite.SuiteRegistry.standard(), RestApiTest.COMMANDS,
                    new SecureRandom()));
            H2Outage outage = H2Outage.of(c.config.dataDir());
            java.net.http.HttpResponse<byte[]> r = rest.postJson("/api/v1/sessions/" + pending.id + "/handshake",
                    java.util.Map.of("flight", RestClient.b64(pending.handshake.takeOutput())));
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertEquals(503, r.statusCode(), body);
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), body);
            assertEquals(ErrorCode.STORE_UNAVAILABLE.code(), RestClient.json(r).get("code").asInt(), body);
            assertFalse(body.contains("closed") || body.contains("Exception"), "the cause stays in the log: " + body);
            outage.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (true) {
                try {
                    rest.login("victim", c.passphrase("victim pass".toCharArray()), c.pinned(), RestApiTest.COMMANDS)
                            .delete();
                    break;
                } catch (org.opencluster.auth.client.login.LoginException e) {
                    // Until the store has reopened the database (its back-off), the same answer, never a lockout.
                    assertEquals(ErrorCode.STORE_UNAVAILABLE.code(), e.code(), e.getMessage());
                    assertTrue(System.nanoTime() < deadline, "the store did not reopen within 15 s");
                    Thread.sleep(50);
                }
            }
        }
    }

    /**
     * PostgreSQL stops (every connection cut, new ones refused). The old code made each login wait out the pool's
     * 30-second connection timeout, then answered a bare INTERNAL with a stack trace per login. Now a login fails
     * within the connection timeout (1 s here, {@code db.connect-timeout}) with STORE_UNAVAILABLE, the next ones at
     * once (back-off), and logins work again once the database is back, without a restart.
     */
    @Test
    void aLoginDuringAPostgresqlOutageFailsFastAndLoginsRecoverWithoutARestart() throws Exception {
        try (ThrowawayPostgres db = ThrowawayPostgres.create()) {
            java.net.URI pg = java.net.URI.create(db.url.substring("jdbc:".length()));
            try (TcpForwarder link = new TcpForwarder(new InetSocketAddress(pg.getHost(), pg.getPort()))) {
                ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                        .database(db.urlThrough(link.hostPort()), db.user, "")
                        .databaseTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)).build();
                try (TestCluster c = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                        Pkcs11Tokens.builder().build())) {
                    c.person("root", ROOT_PASS, Account.Role.ADMIN, KeyType.EC_P256);
                    admin(c).close();
                    link.down();
                    for (int attempt = 0; attempt < 3; attempt++) {
                        long started = System.nanoTime();
                        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                                () -> admin(c).close());
                        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                        assertTrue(String.valueOf(refused.getMessage()).contains("database is unavailable"),
                                refused.toString());
                        assertTrue(millis < 4000, "attempt " + attempt + " took " + millis + " ms");
                    }
                    link.up();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                    boolean back = false;
                    while (!back && System.nanoTime() < deadline) {
                        try (OcaSession s = admin(c)) {
                            back = true;
                        } catch (Exception stillDown) {
                            Thread.sleep(100);
                        }
                    }
                    assertTrue(back, "logins did not recover within 15 s of the database coming back");
                }
            }
        }
    }

    private static String h2Url(Path data) {
        return H2Outage.url(data);
    }

    @FunctionalInterface
    private interface OnTmpfs {
        void run(Path mount) throws Exception;
    }

    /**
     * Runs {@code body} on a fresh tmpfs of {@code size} (unmounted afterwards); fails under CI when it cannot be
     * mounted.
     */
    private void onTmpfs(String size, OnTmpfs body) throws Exception {
        Path where = Files.createDirectories(dir.resolve("tmpfs"));
        int rc = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", where.toString());
        RealComponent.require(rc == 0, "root, to mount a tmpfs (mount -t tmpfs) for the full-disk and read-only"
                + " data directory tests");
        try {
            body.run(where);
        } finally {
            run("umount", "-l", where.toString());
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().transferTo(OutputStream.nullOutputStream());
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** Fills the file system holding {@code dir} with one file, up to its last byte. */
    private static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // no space left: what the test wants
        }
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException full) {
            return filler;
        }
    }

    /**
     * The data directory's disk is full. The old code answered each ADMIN_ENROLMENT_CODE with a code that was never
     * stored (29 of 29 in the fault run: H2 wrote the commit later, in the background, and failed there), then H2
     * closed the database and every login failed until a restart, even after space was freed. Now no code is handed
     * out while it cannot be stored, the answer says the disk is full, and issuing works again once space is freed.
     */
    @Test
    void aFullDiskHandsOutNoCodeItCouldNotStoreAndHealsWhenSpaceIsFreed() throws Exception {
        onTmpfs("12m", mount -> {
            Path data = mount.resolve("data");
            try (TestCluster c = cluster(data); OcaSession root = admin(c)) {
                Path filler = fill(mount);
                List<String> handedOut = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    List<RispCommand> reply = root.exec(issueCode("invitee" + i));
                    if (reply.get(0).id() == EnrolCommands.ENROLMENT_CODE_IS.id()) {
                        handedOut.add(StandardCharsets.US_ASCII.decode(reply.get(0).bytes()).toString());
                    } else {
                        assertEquals(ErrorCode.STORE_UNAVAILABLE.code(), errorCode(reply), reply.toString());
                        assertTrue(errorText(reply).contains("full") || errorText(reply).contains("closed"),
                                errorText(reply));
                    }
                }
                EnrolmentCodeKey codes = EnrolmentCodeKey.fromDecoySecret(Bootstrap.readDecoySecret(c.config),
                        new SecureRandom());
                Files.delete(filler);
                for (String code : handedOut) {
                    byte[] verifier = codes.verifier(EnrolmentCodes.hash(code));
                    assertTrue(untilStored(c, verifier), "a code was handed out that the store does not hold");
                }
                List<RispCommand> healed = untilHealed(root, issueCode("after"));
                assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), healed.get(0).id(), errorText(healed));
                String code = StandardCharsets.US_ASCII.decode(healed.get(0).bytes()).toString();
                byte[] verifier = codes.verifier(EnrolmentCodes.hash(code));
                assertTrue(untilStored(c, verifier));
            }
        });
    }

    private static final List<String> INVITEES = List.of("invitee0", "invitee1", "invitee2", "invitee3",
            "invitee4", "after");

    /** Whether the store holds the code (waiting out the store's back-off, at most 10 s). */
    private static boolean untilStored(TestCluster c, byte[] verifier) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                for (String name : INVITEES) {
                    if (c.store.activeEnrolmentCodes(name, Instant.now()).stream()
                            .anyMatch(x -> Arrays.equals(x.verifier(), verifier))) {
                        return true;
                    }
                }
                return false;
            } catch (org.opencluster.auth.server.store.StoreException outage) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    /**
     * A data directory on a read-only file system. The old code started without a word, with H2 silently
     * read-only, and answered every admin write with a bare INTERNAL. Now the start fails with one line that names
     * the directory and the cause.
     */
    @Test
    void aReadOnlyDataDirectoryIsRefusedAtStartWithOneLine() throws Exception {
        onTmpfs("16m", mount -> {
            Path data = mount.resolve("data");
            assertEquals(0, AuthServerMain.commandLine().execute("init", "--data", data.toString()));
            assertEquals(0, run("mount", "-o", "remount,ro", mount.toString()));
            ServerConfig config = ServerConfig.builder().dataDir(data)
                    .listen(new java.net.InetSocketAddress("127.0.0.1", 0)).build();
            Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> AuthServer.start(
                    config, Pkcs11Tokens.builder().build(), Clock.systemUTC(), new SecureRandom(),
                    ProofKind.KEY_AGREEMENT).close());
            String message = refused.getMessage();
            assertTrue(message.contains("not writable") && message.contains("Read-only file system")
                    && message.contains(data.toString()), message);
            assertFalse(message.contains("\n"), "one line: " + message);
        });
    }
}
