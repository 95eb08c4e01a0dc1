package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 15, row "wall clock +2 h, then back": the wall clock is for stamps (certificate validity, code expiry);
 * every duration runs on the server's monotonic clock, so stepping the wall clock either way changes nothing a
 * session or a lock sees. The test steps the server's wall clock directly ({@link TestCluster#clock}) and moves
 * its monotonic ticker only when it means time to pass.
 */
class ClockJumpTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final RispCommand WHOAMI = RispCommand.none(CoreCommands.WHOAMI.id());

    @RegisterExtension
    final Clusters clusters = new Clusters();

    /**
     * The old code timed re-authentication by the wall clock: +2 h put every session past its due time and grace
     * (1 h + 2 min), so the next command ended it with REAUTH_REQUIRED. Now the session neither needs a new proof
     * (the credential is opened once) nor ends, whichever way the wall clock steps.
     */
    @Test
    void liveSessionsSurviveTheWallClockJumpingTwoHoursForwardAndBack() throws Exception {
        TestCluster cluster = clusters.in().ecProofKind(ProofKind.SIGNATURE).start();
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        AtomicInteger unlocks = new AtomicInteger();
        LoginCredential real = cluster.passphrase(PASS);
        LoginCredential counting = (user, envelope) -> {
            unlocks.incrementAndGet();
            return real.unlock(user, envelope);
        };
        try (OcaSession s = OcaSession.login(cluster.address(), "alice", counting, cluster.pinned(),
                new OcaSession.Options().autoReauthenticate(false))) {
            assertEquals("alice", who(s));
            cluster.clock.advance(Duration.ofHours(2));
            assertEquals("alice", who(s), "+2 h on the wall: the session goes on");
            cluster.clock.advance(Duration.ofHours(-2));
            assertEquals("alice", who(s), "and back: the session goes on");
            cluster.clock.advance(Duration.ofHours(-2));
            assertEquals("alice", who(s), "and 2 h before the login: still on");
            assertEquals(1, unlocks.get(), "no re-authentication was asked for");
            assertEquals(1, cluster.sessions.size());
        }
    }

    /**
     * The old server built its throttle on {@code System.nanoTime} whatever clock it was given, so no injected
     * time reached the lock (this test's ticker moved 5 minutes and alice stayed locked); under libfaketime the
     * same gap let a 2 h step back stretch a 5-minute lock to 7,493 s. Now a wall-clock step either way leaves
     * the lock as it is, and 5 minutes of monotonic time end it.
     */
    @Test
    void aFiveMinuteLockoutStaysFiveMinutesWhenTheWallClockJumps() throws Exception {
        TestCluster cluster = clusters.in().start();
        cluster.person("carol", PASS, Account.Role.USER, KeyType.EC_P256);
        Duration lockout = cluster.config.lockout();
        InetAddress stranger = InetAddress.getByName("127.0.7.7");
        for (int i = 0; i < cluster.config.maxAccountFailures(); i++) {
            ChallengedLogin.tcp(cluster.address(), stranger, "carol", cluster.pinned()).close();
        }
        awaitLocked(cluster.throttle, "carol");
        cluster.clock.advance(Duration.ofHours(2));
        assertLockedForAboutTheLockout(cluster.throttle, lockout, "+2 h on the wall");
        assertEquals(ErrorCode.RATE_LIMITED.code(), refused(cluster).code(), "still locked after +2 h");
        cluster.clock.advance(Duration.ofHours(-4));
        assertLockedForAboutTheLockout(cluster.throttle, lockout, "2 h back from the start");
        // The wall clock back where it was: carol's certificate (a wall-clock stamp) is not valid 2 h before its issue.
        cluster.clock.advance(Duration.ofHours(2));
        cluster.ticker.advance(lockout.plusSeconds(1));
        try (OcaSession s = OcaSession.login(cluster.address(), "carol", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals("carol", who(s), "5 minutes of monotonic time later the owner logs in");
        }
    }

    /** Locked, for at most the lockout and more than a minute of it left (the test took seconds, not hours). */
    private static void assertLockedForAboutTheLockout(LoginThrottle throttle, Duration lockout, String when) {
        Duration left = throttle.retryAfter("carol", "elsewhere");
        assertTrue(left.compareTo(lockout) <= 0 && left.compareTo(lockout.minusMinutes(1)) > 0,
                when + ": " + left + " left of a " + lockout + " lock");
    }

    private static LoginException refused(TestCluster cluster) {
        return org.junit.jupiter.api.Assertions.assertThrows(LoginException.class, () -> OcaSession.login(
                cluster.address(), "carol", cluster.passphrase(PASS), cluster.pinned(), new OcaSession.Options())
                .close());
    }

    private static String who(OcaSession s) throws Exception {
        return StandardCharsets.UTF_8.decode(s.exec(WHOAMI).get(0).bytes()).toString();
    }

    private static void awaitLocked(LoginThrottle throttle, String user) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (throttle.check(user, "elsewhere") != LoginThrottle.Verdict.ACCOUNT_LOCKED
                && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertEquals(LoginThrottle.Verdict.ACCOUNT_LOCKED, throttle.check(user, "elsewhere"));
    }
}
