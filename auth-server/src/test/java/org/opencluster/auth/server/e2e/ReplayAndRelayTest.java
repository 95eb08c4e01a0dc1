package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 4, property 3 over real TCP: a possession proof is bound to its session. Recorded traffic replayed into a
 * new connection, a proof (or the token output behind it) reused in another session, and a proof relayed through a
 * second server all fail, and the server under attack keeps nothing open.
 */
class ReplayAndRelayTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private TestCluster cluster(String name, ProofKind kind) throws Exception {
        TestCluster c = new TestCluster(dir.resolve(name), kind);
        open.add(c);
        return c;
    }

    private MitmProxy proxy(TestCluster to) throws Exception {
        MitmProxy p = new MitmProxy(to.address(), 4);
        open.add(p);
        return p;
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void recordedLoginTrafficReplayedIntoANewConnectionDoesNotAuthenticate(ProofKind kind) throws Exception {
        TestCluster server = cluster("s", kind);
        Accounts accounts = new Accounts();
        accounts.person("alice", PASS, KeyType.EC_P256, server);
        MitmProxy tap = proxy(server);
        try (OcaSession s = OcaSession.login(tap.address(), "alice", server.passphrase(PASS), server.pinned(),
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
        List<MitmProxy.Unit> recorded = tap.link(0).seen(Flow.CLIENT_TO_SERVER);
        assertTrue(recorded.stream().filter(MitmProxy.Unit::isFrame).count() >= 3,
                "recorded the encrypted login request, the proof flight and a command");
        Eventually.nothingOpen(server);

        // Everything the client sent, byte for byte, into a fresh connection: the server answers the replayed
        // hello with fresh randomness and a fresh key share, so the replayed frames no longer authenticate.
        List<RispCommand> answer = new ArrayList<>();
        try (Socket attacker = new Socket()) {
            attacker.connect(server.address(), 5_000);
            attacker.setSoTimeout(10_000);
            OutputStream out = attacker.getOutputStream();
            // Up to the first frame (the sealed LOGIN_REQUEST), which is where authentication fails: bytes after it
            // would still be unread when the server closes, and the kernel then resets the connection (discarding
            // what the server sent) instead of ending it.
            for (MitmProxy.Unit u : recorded) {
                out.write(u.bytes());
                if (u.isFrame()) {
                    break;
                }
            }
            out.flush();
            InputStream in = attacker.getInputStream();
            RispDecoder decoder = RispDecoder.framingOnly();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                decoder.feed(ByteBuffer.wrap(Arrays.copyOf(buf, n)), answer::add);
            }
        }
        assertEquals(HandshakeCommandIds.HS_SERVER_HELLO, answer.get(0).id(), "the server did answer the hello");
        assertFalse(answer.stream().anyMatch(c -> SecureChannel.isFrameCommand(c.id())),
                "the server sent no frame: the replayed login request failed authentication and it closed");
        Eventually.nothingOpen(server);
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void aProofCapturedInOneSessionFailsInAnother(ProofKind kind) throws Exception {
        TestCluster server = cluster("s", kind);
        Accounts accounts = new Accounts();
        accounts.person("alice", PASS, KeyType.EC_P256, server);
        ProofCapture capture = new ProofCapture();
        try (OcaSession s = OcaSession.login(server.address(), "alice", capture.recording(accounts.cachedKey()),
                server.pinned(), new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
        assertNotNull(capture.captured(), "the honest login used the token");
        // An attacker with its own, perfectly valid channel to the server presents the captured token output.
        LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(server.address(), "alice",
                capture.replaying(Accounts.wrongKey(server, KeyType.EC_P256)), server.pinned(),
                new OcaSession.Options()));
        assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code(), e::getMessage);
        Eventually.nothingOpen(server);
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void aRelayToAnotherServerIsRefusedByTheClientsPin(ProofKind kind) throws Exception {
        TestCluster one = cluster("one", kind);
        TestCluster two = cluster("two", kind);
        Accounts accounts = new Accounts();
        accounts.person("alice", PASS, KeyType.EC_P256, one, two);
        MitmProxy relay = proxy(two);
        LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(relay.address(), "alice",
                (u, env) -> {
                    throw new AssertionError("nothing may be proved to a server with the wrong key");
                }, one.pinned(), new OcaSession.Options()));
        assertEquals(HandshakeError.SERVER_KEY_CHANGED.code(), e.code());
        for (MitmProxy.Unit u : relay.link(0).seen(Flow.CLIENT_TO_SERVER)) {
            assertFalse(u.isFrame(), "the username never left the client");
        }
        assertTrue(relay.link(0).awaitServerClose(5));
        Eventually.nothingOpen(two);
    }

    /**
     * The client is made to accept server two (say it trusted it on first use). Server two is the attacker: it
     * sees everything of its own session, including the proof and the token output, and tries it at server one.
     */
    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void aProofMadeForASecondServerFailsAtTheFirst(ProofKind kind) throws Exception {
        TestCluster one = cluster("one", kind);
        TestCluster two = cluster("two", kind);
        Accounts accounts = new Accounts();
        accounts.person("alice", PASS, KeyType.EC_P256, one, two);
        MitmProxy relay = proxy(two);
        ServerTrust acceptsEither = chain -> {
            try {
                one.pinned().check(chain);
            } catch (HandshakeException notOne) {
                two.pinned().check(chain);
            }
        };
        ProofCapture capture = new ProofCapture();
        try (OcaSession s = OcaSession.login(relay.address(), "alice", capture.recording(accounts.cachedKey()),
                acceptsEither, new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            assertEquals(1, two.sessions.size(), "the client believes it is logged in");
            LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(one.address(), "alice",
                    capture.replaying(Accounts.wrongKey(one, KeyType.EC_P256)), one.pinned(),
                    new OcaSession.Options()));
            assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code(), e::getMessage);
            Eventually.nothingOpen(one);
        }
    }
}
