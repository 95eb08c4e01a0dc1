package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.SessionEndedException;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Re-authentication inside a session (docs/PROTOCOL.md section 5.13) over real TCP: once the interval has passed
 * the server refuses every other command until the client proves its key again with a fresh token operation;
 * both sides then move to new keys. A client that cannot prove (wrong key, token gone) ends the session; one that
 * does not try is cut off after the grace period.
 */
class ReauthEndToEndTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final Duration INTERVAL = Duration.ofHours(1);
    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final RispCommand WHOAMI = RispCommand.none(CoreCommands.WHOAMI.id());

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;

    private void start(ProofKind ecProofKind) throws Exception {
        cluster = clusters.in().config(b -> b.reauth(INTERVAL, GRACE)).ecProofKind(ecProofKind).start();
    }

    /** The passphrase credential, counting how often the envelope is opened (each opening is one token operation). */
    private LoginCredential counting(AtomicInteger unlocks) {
        LoginCredential real = cluster.passphrase(PASS);
        return (user, envelope) -> {
            unlocks.incrementAndGet();
            return real.unlock(user, envelope);
        };
    }

    private OcaSession login(String user, LoginCredential credential, OcaSession.Options options) throws Exception {
        return OcaSession.login(cluster.address(), user, credential, cluster.pinned(), options);
    }

    private static String who(List<RispCommand> reply) {
        return StandardCharsets.UTF_8.decode(reply.get(0).bytes()).toString();
    }

    @ParameterizedTest
    @CsvSource({"EC_P256, SIGNATURE", "EC_P256, KEY_AGREEMENT", "ED25519, SIGNATURE", "X25519, KEY_AGREEMENT",
            "EC_P384, KEY_AGREEMENT"})
    void aDueSessionReauthenticatesWithAFreshProofAndKeepsWorking(KeyType type, ProofKind kind) throws Exception {
        start(kind);
        cluster.person("alice", PASS, Account.Role.USER, type);
        AtomicInteger unlocks = new AtomicInteger();
        try (OcaSession s = login("alice", counting(unlocks), new OcaSession.Options())) {
            assertEquals("alice", who(s.exec(WHOAMI)));
            assertEquals(1, unlocks.get());
            cluster.elapse(INTERVAL.plusSeconds(1));
            // The server answers REAUTH_REQUIRED; the session proves the key again (a second unlock) and resends.
            assertEquals("alice", who(s.exec(WHOAMI)));
            assertEquals(2, unlocks.get());
            assertEquals("alice", who(s.exec(WHOAMI)));
            s.reauthenticate();
            assertEquals(3, unlocks.get());
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            assertEquals(1, cluster.sessions.size());
        }
    }

    @Test
    void withoutReauthenticationCommandsAreRefusedThenTheSessionEnds() throws Exception {
        start(ProofKind.SIGNATURE);
        cluster.person("bob", PASS, Account.Role.USER, KeyType.EC_P256);
        OcaSession s = login("bob", cluster.passphrase(PASS), new OcaSession.Options().autoReauthenticate(false));
        cluster.elapse(INTERVAL);
        List<RispCommand> refused = s.exec(WHOAMI, RispCommand.none(CoreCommands.PING.id()));
        assertEquals(List.of(CoreCommands.ERROR.id(), CoreCommands.ERROR_TEXT.id(), CoreCommands.ERROR.id(),
                CoreCommands.ERROR_TEXT.id()), refused.stream().map(RispCommand::id).toList(), "each command refused");
        assertEquals(ErrorCode.REAUTH_REQUIRED.code(), refused.get(0).number());
        assertEquals(1, cluster.sessions.size(), "still open during the grace period");
        cluster.elapse(GRACE);
        List<RispCommand> last = s.exec(WHOAMI);
        assertEquals(ErrorCode.REAUTH_REQUIRED.code(), last.get(0).number());
        assertThrows(SessionEndedException.class, () -> s.exec(WHOAMI));
        Eventually.equals(0, cluster.sessions::size, 5000, "the server ended the overdue session");
        s.close();
    }

    @Test
    void aProofWithAnotherKeyEndsTheSession() throws Exception {
        start(ProofKind.SIGNATURE);
        cluster.person("carol", PASS, Account.Role.USER, KeyType.EC_P256);
        AtomicInteger unlocks = new AtomicInteger();
        LoginCredential real = cluster.passphrase(PASS);
        byte[] other = SoftwareKeys.generatePkcs8(KeyType.EC_P256, new SecureRandom());
        // First the real key (login), then a different one: what a swapped card or stolen session would offer.
        LoginCredential swapped = (user, envelope) -> unlocks.getAndIncrement() == 0 ? real.unlock(user, envelope)
                : SoftwareToken.fromPkcs8("impostor", other, List.of());
        OcaSession s = login("carol", swapped, new OcaSession.Options());
        cluster.elapse(INTERVAL);
        SessionEndedException ended = assertThrows(SessionEndedException.class, () -> s.exec(WHOAMI));
        assertEquals(ErrorCode.REAUTH_FAILED.code(), ended.serverCode());
        assertTrue(ended.getMessage().contains("did not verify"), ended.getMessage());
        assertTrue(s.ended());
        Eventually.equals(0, cluster.sessions::size, 5000, "the server ended the session");
    }

    @Test
    void proofMessagesOutOfOrderEndTheSession() throws Exception {
        start(ProofKind.SIGNATURE);
        cluster.person("dan", PASS, Account.Role.USER, KeyType.EC_P256);
        OcaSession s = login("dan", cluster.passphrase(PASS), new OcaSession.Options());
        List<RispCommand> reply = s.exec(RispCommand.integer(ReauthCommands.REAUTH_SIGNATURE_SCHEME.id(), 0x0403),
                RispCommand.string(ReauthCommands.REAUTH_PROOF.id(), new byte[64]));
        assertEquals(ErrorCode.REAUTH_FAILED.code(), reply.get(0).number());
        assertThrows(SessionEndedException.class, () -> s.exec(WHOAMI));
        Eventually.equals(0, cluster.sessions::size, 5000, "the server ended the session");
    }

    @Test
    void aChallengeCanBeAskedAgainAndOnlyTheLatestCounts() throws Exception {
        start(ProofKind.KEY_AGREEMENT);
        cluster.person("erin", PASS, Account.Role.USER, KeyType.EC_P256);
        try (OcaSession s = login("erin", cluster.passphrase(PASS), new OcaSession.Options())) {
            List<RispCommand> first = s.exec(RispCommand.none(ReauthCommands.REAUTH_BEGIN.id()));
            assertEquals(List.of(ReauthCommands.REAUTH_NONCE.id(), ReauthCommands.REAUTH_PROOF_KIND.id(),
                    ReauthCommands.REAUTH_EPHEMERAL.id()), first.stream().map(RispCommand::id).toList());
            assertEquals(ProofKind.KEY_AGREEMENT.wireValue(), first.get(1).number());
            assertEquals(2 + 65, first.get(2).length(), "a fresh P-256 share for the account's group");
            // An abandoned challenge does not block a later one; the full exchange still succeeds.
            s.reauthenticate();
            assertEquals("erin", who(s.exec(WHOAMI)));
        }
    }
}
