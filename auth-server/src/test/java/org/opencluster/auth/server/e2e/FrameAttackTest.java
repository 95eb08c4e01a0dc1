package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.e2e.MitmProxy.Unit;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 4, property 6 over real TCP, after a successful login: every kind of interference with the encrypted
 * frames on the wire ends the session. The server hangs up (it does not wait for the client), says why in its log,
 * and removes the session from the registry; the client's next command fails.
 */
class FrameAttackTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final RispCommand PING = RispCommand.none(CoreCommands.PING.id());

    @TempDir
    Path dir;
    private TestCluster cluster;
    private MitmProxy proxy;
    private ServerLog log;
    private final Accounts accounts = new Accounts();

    @BeforeEach
    void start() throws Exception {
        log = new ServerLog();
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        accounts.person("alice", PASS, KeyType.EC_P256, cluster);
        proxy = new MitmProxy(cluster.address(), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        cluster.close();
        log.close();
    }

    private OcaSession login() throws Exception {
        OcaSession s = OcaSession.login(proxy.address(), "alice", accounts.cachedKey(), cluster.pinned(),
                new OcaSession.Options());
        assertEquals(1, cluster.sessions.size());
        assertEquals(CoreCommands.PONG.id(), s.exec(PING).get(0).id(), "the session works before the attack");
        return s;
    }

    private RawClient rawLogin() throws Exception {
        RawClient c = RawClient.login(proxy.address(), "alice", accounts.cachedKey(), cluster.pinned(), 10_000);
        assertEquals(1, cluster.sessions.size());
        return c;
    }

    /** The server, not the client, ended it; logged why; nothing remains. */
    private void assertServerEndedSession(String... logged) {
        assertTrue(proxy.link(0).awaitServerClose(5), "the server closed the connection");
        assertTrue(proxy.link(0).serverClosedFirst(), "the server hung up first");
        Eventually.nothingOpen(cluster);
        assertNotNull(log.await(logged), () -> "the server log names the reason " + Arrays.toString(logged));
    }

    private static byte[] withCiphertext(Unit frame, byte[] ciphertext, long length) {
        return RispCommandsBytes.of(frame.commands.get(0),
                RispCommand.integer(HandshakeCommandIds.LENGTH_OF_UNCRYPTED, length),
                RispCommand.string(HandshakeCommandIds.ENCRYPTED_STRING, ciphertext));
    }

    @Test
    void aFlippedBitInACommandFrameEndsTheSession() throws Exception {
        try (OcaSession s = login()) {
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> {
                byte[] c = u.commands.get(2).copyBytes();
                c[c.length / 2] ^= 0x01;
                w.send(withCiphertext(u, c, u.commands.get(1).number()));
            });
            assertThrows(IOException.class, () -> s.exec(PING));
            assertServerEndedSession("alice", FrameError.AUTHENTICATION_FAILED.name());
            assertThrows(IOException.class, () -> s.exec(PING), "the session stays dead");
        }
    }

    @Test
    void aFlippedBitInAReplyFrameIsRefusedByTheClientAndTheServerCleansUp() throws Exception {
        OcaSession s = login();
        proxy.rule(Flow.SERVER_TO_CLIENT, (u, w) -> {
            byte[] c = u.commands.get(2).copyBytes();
            c[0] ^= (byte) 0x80;
            w.send(withCiphertext(u, c, u.commands.get(1).number()));
        });
        IOException e = assertThrows(IOException.class, () -> s.exec(PING));
        assertTrue(e.getMessage().contains(FrameError.AUTHENTICATION_FAILED.name()), e::getMessage);
        assertThrows(IOException.class, () -> s.exec(PING), "the session stays dead");
        s.close();
        Eventually.nothingOpen(cluster);
    }

    @Test
    void aShortenedFrameWithConsistentLengthsFailsBecauseTheLengthIsAuthenticated() throws Exception {
        try (OcaSession s = login()) {
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> {
                byte[] c = u.commands.get(2).copyBytes();
                byte[] shorter = new byte[c.length - 1];
                System.arraycopy(c, 1, shorter, 0, shorter.length); // drop the first plaintext byte, keep the tag
                w.send(withCiphertext(u, shorter, u.commands.get(1).number() - 1));
            });
            assertThrows(IOException.class, () -> s.exec(RispCommand.string(CoreCommands.ECHO.id(), new byte[40])));
            assertServerEndedSession("alice", FrameError.AUTHENTICATION_FAILED.name());
        }
    }

    @Test
    void aLengthOfUncryptedThatDisagreesWithTheCiphertextEndsTheSession() throws Exception {
        try (OcaSession s = login()) {
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> w.send(withCiphertext(u, u.commands.get(2).copyBytes(),
                    u.commands.get(1).number() + 1)));
            assertThrows(IOException.class, () -> s.exec(PING));
            assertServerEndedSession("alice", FrameError.LENGTH_MISMATCH.name());
        }
    }

    @Test
    void aReplayedFrameEndsTheSession() throws Exception {
        try (OcaSession s = login()) {
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> {
                w.send(u.bytes());
                w.send(u.bytes());
            });
            // The first copy is genuine and answered; the copy is refused.
            assertEquals(CoreCommands.PONG.id(), s.exec(PING).get(0).id());
            assertServerEndedSession("alice", FrameError.AUTHENTICATION_FAILED.name());
            assertThrows(IOException.class, () -> s.exec(PING));
        }
    }

    @Test
    void anOldFrameInPlaceOfANewOneEndsTheSession() throws Exception {
        try (OcaSession s = login()) {
            AtomicReference<byte[]> first = new AtomicReference<>();
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> w.send(first.compareAndSet(null, u.bytes()) ? u.bytes()
                    : first.get()));
            assertEquals(CoreCommands.PONG.id(), s.exec(PING).get(0).id());
            assertThrows(IOException.class, () -> s.exec(PING));
            assertServerEndedSession("alice", FrameError.AUTHENTICATION_FAILED.name());
        }
    }

    @Test
    void reorderedFramesEndTheSession() throws Exception {
        try (RawClient c = rawLogin()) {
            AtomicReference<byte[]> held = new AtomicReference<>();
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> {
                if (held.compareAndSet(null, u.bytes())) {
                    return; // hold the first frame back ...
                }
                w.send(u.bytes()); // ... send the second ...
                w.send(held.get()); // ... then the first
            });
            c.sendFrames(List.of(List.of(PING), List.of(RispCommand.none(CoreCommands.WHOAMI.id()))));
            assertThrows(EOFException.class, c::receiveFrame, "no answer to either: the session ended");
            assertServerEndedSession("alice", FrameError.AUTHENTICATION_FAILED.name());
        }
    }

    @Test
    void aDroppedFrameEndsTheSessionAtTheNextOne() throws Exception {
        try (RawClient c = rawLogin()) {
            AtomicInteger n = new AtomicInteger();
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> {
                if (n.getAndIncrement() != 0) {
                    w.send(u.bytes());
                }
            });
            c.sendFrames(List.of(List.of(PING), List.of(PING)));
            assertThrows(EOFException.class, c::receiveFrame);
            assertServerEndedSession("alice", FrameError.AUTHENTICATION_FAILED.name());
        }
    }

    @Test
    void aConnectionCutInsideAFrameEndsTheSession() throws Exception {
        try (OcaSession s = login()) {
            proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> {
                byte[] b = u.bytes();
                w.send(Arrays.copyOf(b, b.length / 2));
                MitmProxy.sleep(100); // let the half frame arrive before the cut
                w.cut();
            });
            assertThrows(IOException.class, () -> s.exec(RispCommand.string(CoreCommands.ECHO.id(), new byte[100])));
            Eventually.nothingOpen(cluster);
            assertNotNull(log.await("closed inside a command (truncated)"), "the server logs the truncation");
            assertNotNull(log.await("alice", "closed"), "and the end of alice's session");
            assertThrows(IOException.class, () -> s.exec(PING));
        }
    }

    @Test
    void aReplyCutInsideAFrameEndsTheSessionWithAnIoError() throws Exception {
        try (OcaSession s = login()) {
            proxy.rule(Flow.SERVER_TO_CLIENT, (u, w) -> {
                byte[] b = u.bytes();
                w.send(Arrays.copyOf(b, b.length / 2));
                MitmProxy.sleep(100);
                w.cut();
            });
            assertThrows(IOException.class, () -> s.exec(PING));
            Eventually.nothingOpen(cluster);
        }
    }
}
