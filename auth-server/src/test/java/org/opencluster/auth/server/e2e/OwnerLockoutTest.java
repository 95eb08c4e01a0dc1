package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.DeviceTokenStore;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.KeyFingerprint;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 12, row 3: 5 anonymous half-logins locked {@code root} out for 5 minutes from every address, and one more
 * every 5 minutes kept every admin out. With device tokens the owner's known device is not locked by strangers,
 * an unknown device faces the account limit with back-off, and a key-only account is never locked.
 */
class OwnerLockoutTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final int PER_ACCOUNT = 5;
    private static final Duration LOCKOUT = Duration.ofMinutes(5);

    @TempDir
    Path dir;
    private TestCluster cluster;
    /** The throttle's monotonic clock, moved by the test. */
    private final AtomicLong ticker = new AtomicLong(0);

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT, LoginThrottle.builder()
                .maxAccountFailures(PER_ACCOUNT).maxSourceFailures(50).maxDeviceFailures(5)
                .decay(Duration.ofMinutes(1)).lockout(LOCKOUT).maxLockout(Duration.ofHours(1))
                .ticker(ticker::get).build());
        cluster.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private OcaSession login(String user, LoginCredential credential, OcaSession.Options options) throws Exception {
        return OcaSession.login(cluster.address(), user, credential, cluster.pinned(), options);
    }

    /** Logs in as root from the device that keeps {@code device}; returns how long the login took. */
    private Duration rootLogsIn(DeviceTokenStore device) throws Exception {
        long t0 = System.nanoTime();
        try (OcaSession s = login("root", cluster.passphrase(PASS), new OcaSession.Options().deviceTokens(device))) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private LoginException refused(String user, LoginCredential credential, OcaSession.Options options) {
        return assertThrows(LoginException.class, () -> login(user, credential, options).close());
    }

    /** Root's own device, after one login there: it holds a device token for this server and root. */
    private DeviceTokenStore knownDevice() throws Exception {
        DeviceTokenStore device = DeviceTokenStore.inMemory();
        rootLogsIn(device);
        assertTrue(device.find(KeyFingerprint.of(cluster.serverCert.getPublicKey().getEncoded()), "root").isPresent(),
                "the login gave the device a token");
        return device;
    }

    /** A half-login for {@code user} from {@code source}: envelope taken, then hang up. True if it got one. */
    private boolean halfLogin(String user, InetAddress source) throws Exception {
        try {
            ChallengedLogin.tcp(cluster.address(), source, user, cluster.pinned()).close();
            return true;
        } catch (LoginException e) {
            assertEquals(ErrorCode.RATE_LIMITED.code(), e.code(), e::getMessage);
            return false;
        }
    }

    private void awaitLocked(String user) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cluster.throttle.check(user, "elsewhere") != LoginThrottle.Verdict.ACCOUNT_LOCKED
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(LoginThrottle.Verdict.ACCOUNT_LOCKED, cluster.throttle.check(user, "elsewhere"));
    }

    @Test
    void fiveAnonymousHalfLoginsDoNotLockRootsKnownDevice() throws Exception {
        DeviceTokenStore rootsLaptop = knownDevice();
        InetAddress stranger = InetAddress.getByName("127.0.5.5");
        for (int i = 0; i < PER_ACCOUNT; i++) {
            assertTrue(halfLogin("root", stranger), "half-login " + (i + 1));
        }
        awaitLocked("root");
        LoginException unknown = refused("root", cluster.passphrase(PASS), new OcaSession.Options());
        assertEquals(ErrorCode.RATE_LIMITED.code(), unknown.code(), "an unknown device faces the account lock");
        rootLogsIn(rootsLaptop);
    }

    @Test
    void hundredsOfSourcesCannotLockRootsKnownDevice() throws Exception {
        DeviceTokenStore rootsLaptop = knownDevice();
        int sources = 300;
        AtomicInteger envelopes = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < sources; i++) {
                InetAddress source = InetAddress.getByName("127.0." + (10 + i / 200) + "." + (1 + i % 200));
                done.add(pool.submit(() -> {
                    for (int k = 0; k < 2; k++) {
                        (halfLogin("root", source) ? envelopes : limited).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Checks and counts race between the 8 workers; the account lock still bounds the harvest.
        assertTrue(envelopes.get() <= PER_ACCOUNT + 8, "envelopes harvested from " + sources + " sources: "
                + envelopes.get());
        assertEquals(2 * sources, envelopes.get() + limited.get());
        awaitLocked("root");

        Duration known = rootLogsIn(rootsLaptop);
        assertTrue(known.compareTo(Duration.ofSeconds(5)) < 0, "root's known device logged in at once: " + known);

        LoginException unknown = refused("root", cluster.passphrase(PASS), new OcaSession.Options()
                .deviceTokens(DeviceTokenStore.inMemory()));
        assertEquals(ErrorCode.RATE_LIMITED.code(), unknown.code(), unknown::getMessage);
        Duration backOff = cluster.throttle.retryAfter("root", "127.0.0.1");
        assertTrue(backOff.compareTo(LOCKOUT) >= 0 && backOff.compareTo(Duration.ofHours(1)) <= 0, backOff::toString);

        ticker.addAndGet(backOff.toNanos());
        DeviceTokenStore newLaptop = DeviceTokenStore.inMemory();
        rootLogsIn(newLaptop); // after the back-off, an unknown device is allowed again
        Eventually.nothingOpen(cluster);
    }

    @Test
    void aKnownDeviceHasItsOwnLimitWithBackOff() throws Exception {
        DeviceTokenStore rootsLaptop = knownDevice();
        LoginCredential wrong = Accounts.wrongKey(cluster, KeyType.EC_P256);
        OcaSession.Options laptop = new OcaSession.Options().deviceTokens(rootsLaptop);
        for (int i = 0; i < 5; i++) {
            assertEquals(org.opencluster.auth.protocol.handshake.HandshakeError.LOGIN_FAILED.code(),
                    refused("root", wrong, laptop).code());
        }
        assertEquals(ErrorCode.RATE_LIMITED.code(), refused("root", cluster.passphrase(PASS), laptop).code(),
                "a stolen device token is worth 5 guesses per back-off, not a way around the limit");
        assertEquals(LoginThrottle.Verdict.ALLOWED, cluster.throttle.check("root", "127.0.0.1"),
                "the device's failures do not lock the account for root's other devices");
        ticker.addAndGet(LOCKOUT.toNanos());
        rootLogsIn(rootsLaptop);
    }

    @Test
    void anAccountThatNeedsAPrivateKeyIsNeverLockedOnlyItsSources() throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, cluster.random);
        try (SoftwareToken t = SoftwareToken.fromPkcs8("backup", pkcs8, List.of())) {
            X509Certificate cert = cluster.ca.issue("backup", ClusterCa.Subject.SERVICE, t.publicKey(),
                    Duration.ofDays(30));
            cluster.store.createAccount("backup", Account.Kind.SERVICE, Account.Role.USER,
                    t.publicKey().getEncoded(), cert.getEncoded(), null);
        }
        for (int i = 0; i < 3 * PER_ACCOUNT; i++) {
            assertTrue(halfLogin("backup", InetAddress.getByName("127.0.6." + (1 + i))), "half-login " + (i + 1));
        }
        Eventually.nothingOpen(cluster);
        LoginCredential serviceKey = (user, envelope) -> SoftwareToken.fromPkcs8(user, pkcs8, List.of());
        try (OcaSession s = login("backup", serviceKey, new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
        InetAddress scanner = InetAddress.getByName("127.0.7.7");
        int got = 0;
        for (int i = 0; i < 60 && halfLogin("backup", scanner); i++) {
            got++;
        }
        assertEquals(50, got, "the scanning source is limited (50 failures per source)");
    }
}
