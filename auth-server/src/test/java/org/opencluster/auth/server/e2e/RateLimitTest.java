package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.KeyType;

/**
 * Per-account and per-source limits on failed logins, over real TCP: once an account has failed N times, the next
 * attempt is refused with RATE_LIMITED before the server sends a challenge (so before any proof); other accounts
 * from the same source still log in until the source itself reaches its limit.
 */
class RateLimitTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final int PER_ACCOUNT = 3;
    private static final int PER_SOURCE = 7;
    private static final LoginCredential NEVER = (u, e) -> {
        throw new AssertionError("a rate-limited login must end before the challenge");
    };

    @TempDir
    Path dir;
    private TestCluster cluster;
    private final Accounts accounts = new Accounts();

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT, LoginThrottle.builder()
                .maxAccountFailures(PER_ACCOUNT).maxSourceFailures(PER_SOURCE)
                .decay(Duration.ofMinutes(10)).lockout(Duration.ofMinutes(10)).build());
        accounts.person("alice", PASS, KeyType.EC_P256, cluster);
        accounts.person("bob", PASS, KeyType.EC_P256, cluster);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private LoginException refused(String user, LoginCredential credential) {
        return assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), user, credential,
                cluster.pinned(), new OcaSession.Options()));
    }

    private void logsIn(String user) throws Exception {
        try (OcaSession s = OcaSession.login(cluster.address(), user, accounts.cachedKey(), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }

    @Test
    void anAccountIsLockedAfterItsFailuresAndTheSourceAfterItsOwn() throws Exception {
        LoginCredential wrong = Accounts.wrongKey(cluster, KeyType.EC_P256);
        for (int i = 0; i < PER_ACCOUNT; i++) {
            assertEquals(HandshakeError.LOGIN_FAILED.code(), refused("alice", wrong).code(), "failure " + (i + 1));
        }
        LoginException locked = refused("alice", NEVER);
        assertEquals(ErrorCode.RATE_LIMITED.code(), locked.code(), locked::getMessage);
        assertTrue(locked.getMessage().contains("retry in"), locked::getMessage);
        assertEquals(ErrorCode.RATE_LIMITED.code(), refused("alice", NEVER).code(),
                "still locked, even with the right key never being asked for");

        logsIn("bob"); // another account from the same source is not affected
        // Failures spread over other names (real or not) add up at the source: 3 so far, 7 locks it.
        int failures = PER_ACCOUNT;
        for (int i = 0; failures < PER_SOURCE; i++, failures++) {
            assertEquals(HandshakeError.LOGIN_FAILED.code(), refused("nobody-" + i, wrong).code());
        }
        LoginException sourceLocked = refused("bob", NEVER);
        assertEquals(ErrorCode.RATE_LIMITED.code(), sourceLocked.code(), "the source is locked for every name");
        Eventually.nothingOpen(cluster);
    }

    @Test
    void aSuccessDoesNotLaunderTheSourceButClearsTheAccount() throws Exception {
        LoginCredential wrong = Accounts.wrongKey(cluster, KeyType.EC_P256);
        for (int i = 0; i < PER_ACCOUNT - 1; i++) {
            refused("alice", wrong);
        }
        logsIn("alice"); // clears alice's count ...
        for (int i = 0; i < PER_ACCOUNT - 1; i++) {
            assertEquals(HandshakeError.LOGIN_FAILED.code(), refused("alice", wrong).code());
        }
        logsIn("alice"); // ... so she is not locked after 4 failures in total
        // ... but the source kept counting: 4 failures so far, 3 more lock it.
        for (int i = 0; i < PER_SOURCE - 2 * (PER_ACCOUNT - 1); i++) {
            refused("bob", wrong);
        }
        assertEquals(ErrorCode.RATE_LIMITED.code(), refused("alice", NEVER).code());
        Eventually.nothingOpen(cluster);
    }

    @Test
    void takingTheEnvelopeAndLeavingWithoutAProofCountsAsAFailure() throws Exception {
        // A wrong passphrase fails on the client, which then hangs up after the challenge: the server must count
        // it, or envelopes could be harvested for offline guessing without meeting the limit.
        for (int i = 0; i < PER_ACCOUNT; i++) {
            LoginException e = refused("alice", cluster.passphrase("wrong guess".toCharArray()));
            org.junit.jupiter.api.Assertions.assertEquals(-1, e.code(), "failed locally: " + e.getMessage());
        }
        // The server notices each hang-up asynchronously: wait (bounded) until it has counted them.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (cluster.throttle.check("alice", "127.0.0.1") == LoginThrottle.Verdict.ALLOWED
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        LoginException limited = refused("alice", cluster.passphrase(PASS));
        org.junit.jupiter.api.Assertions.assertEquals(org.opencluster.auth.protocol.command.ErrorCode.RATE_LIMITED.code(),
                limited.code(), limited.getMessage());
    }
}
