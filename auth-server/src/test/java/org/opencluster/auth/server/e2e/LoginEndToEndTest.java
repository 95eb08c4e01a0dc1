package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/** Person logins over real TCP on loopback: the whole handshake, then encrypted commands. */
class LoginEndToEndTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;

    private OcaSession login(String user, char[] pass, OcaSession.Options options) throws Exception {
        return OcaSession.login(cluster.address(), user, cluster.passphrase(pass), cluster.pinned(), options);
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void personLogsInWithThePassphraseAndExchangesEncryptedCommands(ProofKind kind) throws Exception {
        cluster = clusters.in().ecProofKind(kind).start();
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        try (OcaSession s = login("alice", PASS, new OcaSession.Options())) {
            assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())),
                    s.exec(RispCommand.none(CoreCommands.PING.id())));
            List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
            assertEquals("alice", StandardCharsets.UTF_8.decode(who.get(0).bytes()).toString());
            byte[] payload = new byte[60_000];
            new java.util.Random(1).nextBytes(payload);
            assertArrayEquals(payload, s.exec(RispCommand.string(CoreCommands.ECHO.id(), payload)).get(0).copyBytes());
            assertEquals(1, cluster.sessions.size());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0105, 0x0106, 0x0101, 0x0102, 0x0103, 0x0104})
    void everySuiteWorks(int suite) throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        cluster.person("bob", PASS, Account.Role.USER, KeyType.EC_P256);
        try (OcaSession s = login("bob", PASS, new OcaSession.Options().suites(Set.of(suite)))) {
            assertEquals(suite, s.suite().id());
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }

    @Test
    void otherKeyTypesProveWithWhatTheyCanDo() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        cluster.person("ed", PASS, Account.Role.USER, KeyType.ED25519);
        cluster.person("xavier", PASS, Account.Role.USER, KeyType.X25519);
        cluster.person("p384", PASS, Account.Role.USER, KeyType.EC_P384);
        for (String user : List.of("ed", "xavier", "p384")) {
            try (OcaSession s = login(user, PASS, new OcaSession.Options())) {
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id(), user);
            }
        }
    }

    @Test
    void wrongPassphraseFailsOnTheClientAndTheServerNeverSeesIt() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        cluster.person("carol", PASS, Account.Role.USER, KeyType.EC_P256);
        LoginException e = assertThrows(LoginException.class, () -> login("carol", "wrong".toCharArray(),
                new OcaSession.Options()));
        assertTrue(e.getCause() instanceof TokenException);
        assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) e.getCause()).error());
        assertEquals(0, cluster.sessions.size());
    }

    @Test
    void anUnknownUserGetsADecoyThatFailsExactlyLikeAWrongPassphrase() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        cluster.person("grace", PASS, Account.Role.USER, KeyType.EC_P256);
        byte[][] seen = new byte[3][];
        int[] i = {0};
        java.util.function.Function<char[], org.opencluster.auth.client.login.LoginCredential> capture = pass ->
                (user, envelope) -> {
                    seen[i[0]++] = envelope;
                    return cluster.passphrase(pass).unlock(user, envelope);
                };
        LoginException wrong = assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), "grace",
                capture.apply("nope".toCharArray()), cluster.pinned(), new OcaSession.Options()));
        LoginException unknown = assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), "grack",
                capture.apply(PASS), cluster.pinned(), new OcaSession.Options()));
        assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), "grack",
                capture.apply(PASS), cluster.pinned(), new OcaSession.Options()));
        assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) wrong.getCause()).error());
        assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) unknown.getCause()).error(),
                "a decoy opens like a real envelope with the wrong passphrase");
        assertEquals(seen[0].length, seen[1].length, "same size for same-length names");
        assertArrayEquals(java.util.Arrays.copyOf(seen[0], 6), java.util.Arrays.copyOf(seen[1], 6),
                "same header shape (magic, version, KDF)");
        assertArrayEquals(seen[1], seen[2], "a decoy is stable, as a real envelope is");
    }

    /** The client refuses such a name itself (AccountNames); the server's own refusal: LoginRequestUsernameTest. */
    @Test
    void aUsernameWithControlCharactersIsRefusedByTheClientBeforeConnecting() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> login("ev\nil event=login.ok",
                PASS, new OcaSession.Options()));
        assertTrue(e.getMessage().contains("U+000A"), e.getMessage());
    }

    @Test
    void nonAdminGetsForbiddenAndAdminIsServed() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.SIGNATURE).start();
        cluster.person("dave", PASS, Account.Role.USER, KeyType.EC_P256);
        cluster.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        try (OcaSession s = login("dave", PASS, new OcaSession.Options())) {
            List<RispCommand> r = s.exec(RispCommand.none(AdminCommands.SUITES_GET.id()));
            assertEquals(CoreCommands.ERROR.id(), r.get(0).id());
            assertEquals(ErrorCode.FORBIDDEN.code(), r.get(0).number());
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id(),
                    "the session survives a refusal");
        }
        try (OcaSession s = login("root", PASS, new OcaSession.Options())) {
            assertEquals(AdminCommands.SUITE_POLICY.id(), s.exec(RispCommand.none(AdminCommands.SUITES_GET.id()))
                    .get(0).id());
        }
    }

    @Test
    void aChangedServerKeyIsRefusedBeforeTheUsernameLeaves() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        cluster.person("erin", PASS, Account.Role.USER, KeyType.EC_P256);
        byte[] otherKey = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic().getEncoded();
        LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), "erin",
                (u, env) -> {
                    throw new AssertionError("the credential must never be asked for");
                }, TestCluster.pinnedTo(otherKey), new OcaSession.Options()));
        assertEquals(HandshakeError.SERVER_KEY_CHANGED.code(), e.code());
    }

    @Test
    void disablingTheSessionsSuiteEndsTheSession() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        cluster.person("frank", PASS, Account.Role.USER, KeyType.EC_P256);
        try (OcaSession s = login("frank", PASS, new OcaSession.Options())) {
            int suite = s.suite().id();
            cluster.policies.change("root", p -> p.disable(suite));
            // The server says why in a last authenticated frame, then closes. The client reads that frame as the
            // answer to its next command, unless the close already made the write fail.
            try {
                List<RispCommand> last = s.exec(RispCommand.none(CoreCommands.PING.id()));
                assertEquals(CoreCommands.ERROR.id(), last.get(0).id());
                assertEquals(HandshakeError.SUITE_DISABLED.code(), last.get(0).number());
            } catch (java.io.IOException closedFirst) {
                // also a clear end of the session
            }
            assertThrows(java.io.IOException.class, () -> s.exec(RispCommand.none(CoreCommands.PING.id())));
            assertEquals(0, cluster.sessions.size());
        }
        try (OcaSession again = login("frank", PASS, new OcaSession.Options())) {
            assertTrue(cluster.policies.current().isEnabled(again.suite().id()), "a new login negotiates another suite");
        }
    }
}
