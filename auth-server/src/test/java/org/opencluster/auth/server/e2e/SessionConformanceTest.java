package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 13 item 11: the server and the client against docs/PROTOCOL.md sections 5.3.10, 5.7.4 and 7, as an
 * independent client written from the document sees them.
 */
class SessionConformanceTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    /** In the embedding range (section 2) and registered nowhere: one without parameter, one with a string. */
    private static final int UNREGISTERED_NONE = 0x7801;
    private static final int UNREGISTERED_STRING = 0x9801;
    private static final int TIMEOUT_MS = 15_000;

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;

    private void start() throws Exception {
        start(java.time.Duration.ofMinutes(10));
    }

    private void start(java.time.Duration idleTimeout) throws Exception {
        cluster = clusters.in().https().idleTimeout(idleTimeout).start();
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
    }

    private static void assertUnknownCommand(List<RispCommand> reply) {
        assertEquals(2, reply.size(), reply::toString);
        assertEquals(CoreCommands.ERROR.id(), reply.get(0).id());
        assertEquals(ErrorCode.UNKNOWN_COMMAND.code(), reply.get(0).number());
        assertEquals(CoreCommands.ERROR_TEXT.id(), reply.get(1).id());
    }

    @Test
    void anUnregisteredCommandInATcpSessionIsAnsweredUnknownCommandAndTheSessionStaysUsable() throws Exception {
        start();
        try (RawClient c = RawClient.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                TIMEOUT_MS)) {
            c.sendFrames(List.of(List.of(RispCommand.none(UNREGISTERED_NONE))));
            assertUnknownCommand(c.receiveFrame());
            c.sendFrames(List.of(List.of(RispCommand.string(UNREGISTERED_STRING, new byte[300]),
                    RispCommand.none(CoreCommands.PING.id()))));
            List<RispCommand> reply = c.receiveFrame();
            assertUnknownCommand(reply.subList(0, 2));
            assertEquals(CoreCommands.PONG.id(), reply.get(2).id(), "the next command in the same frame is served");
            c.sendFrames(List.of(List.of(RispCommand.none(CoreCommands.PING.id()))));
            assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), c.receiveFrame());
        }
    }

    @Test
    void anUnregisteredCommandInARestSessionIsAnsweredUnknownCommandAndTheSessionStaysUsable() throws Exception {
        start();
        RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        RestClient.Session s = rest.login("alice", cluster.passphrase(PASS), cluster.pinned(), CommandRegistry
                .builder().include(CoreCommands.registry()).include(AdminCommands.registry()).build());
        assertUnknownCommand(s.exec(RispCommand.string(UNREGISTERED_STRING, new byte[] {1, 2, 3})));
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), s.exec(RispCommand.none(CoreCommands.PING.id())));
        assertEquals(200, s.delete(), "a logged-in session ends with the server's close frame (section 10.2)");
    }

    @Test
    void aSessionTheServerEndsGetsItsErrorThenASealedCloseFrameNotATruncation() throws Exception {
        start();
        try (RawClient c = RawClient.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                TIMEOUT_MS)) {
            assertEquals(1, cluster.sessions.endUser("alice", "ended by an admin"));
            assertFalse(c.nextIsCloseFrame(), "first the frame that says why");
            assertTrue(c.nextIsCloseFrame(), "then the close frame: a client following 5.7.4 must not see TRUNCATED");
        }
        try (RawClient c = RawClient.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                TIMEOUT_MS)) {
            Eventually.equals(1, cluster.sessions::size, 5_000, "only the second session is open");
            int suite = cluster.sessions.list().get(0).suiteId();
            cluster.policies.change("root", p -> p.disable(suite));
            assertFalse(c.nextIsCloseFrame(), "ERROR SUITE_DISABLED");
            assertTrue(c.nextIsCloseFrame(), "then the close frame");
        }
    }

    /** A REST session the server ended (here by an admin) and the answer of the client's next request. */
    private static void assertEndedByTheServer(HttpResponse<byte[]> r, RestClient.Session s, String reason)
            throws Exception {
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/x-risp", r.headers().firstValue("Content-Type").orElse(null));
        assertEquals("true", r.headers().firstValue("Oca-Session-Closed").orElse(null));
        List<RispCommand> last = new ArrayList<>();
        assertTrue(s.openInto(r.body(), last), "the server's sealed close frame comes last (5.7.4: no truncation)");
        assertEquals(CoreCommands.ERROR.id(), last.get(0).id(), last::toString);
        assertEquals(ErrorCode.NOT_AUTHENTICATED.code(), last.get(0).number());
        assertTrue(StandardCharsets.UTF_8.decode(last.get(1).bytes()).toString().contains(reason), last::toString);
    }

    private RestClient.Session restLogin() throws Exception {
        RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        return rest.login("alice", cluster.passphrase(PASS), cluster.pinned(), CommandRegistry.builder()
                .include(CoreCommands.registry()).include(AdminCommands.registry()).build());
    }

    @Test
    void aRestSessionTheServerEndedAnswersTheNextFramesWithItsErrorAndSealedCloseNotA404() throws Exception {
        start();
        RestClient.Session s = restLogin();
        assertEquals(1, cluster.sessions.endUser("alice", "ended by an admin"));
        // Ended at once (keys released, off the session list), though the client has not asked anything yet.
        Eventually.equals(0, cluster.sessions::size, 15_000, "the server released the session");
        assertEndedByTheServer(s.postFrames(s.seal(RispCommand.none(CoreCommands.PING.id()))), s, "ended by an admin");
        HttpResponse<byte[]> after = s.postFrames(s.seal(RispCommand.none(CoreCommands.PING.id())));
        assertEquals(404, after.statusCode(), "told once; then the session is unknown");
    }

    @Test
    void aDeleteAfterTheServerEndedTheRestSessionGetsTheServersLastFrames() throws Exception {
        start();
        RestClient.Session s = restLogin();
        assertEquals(1, cluster.sessions.endUser("alice", "the account was disabled by an admin"));
        HttpResponse<byte[]> r = s.deleteResponse();
        assertEndedByTheServer(r, s, "disabled by an admin");
        assertEquals(0, cluster.sessions.size());
    }

    @Test
    void anIdleTimeoutEndsTheSessionWithASealedErrorAndCloseFrameNotAClearCommand() throws Exception {
        start(java.time.Duration.ofSeconds(4));
        try (RawClient c = RawClient.login(cluster.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                TIMEOUT_MS)) {
            // Sealed: the idle timeout's ERROR arrives as a frame that opens (a clear command fails the channel).
            List<RispCommand> last = c.receiveFrame();
            assertEquals(CoreCommands.ERROR.id(), last.get(0).id());
            assertEquals(ErrorCode.NOT_AUTHENTICATED.code(), last.get(0).number());
            assertTrue(c.nextIsCloseFrame(), "then the close frame");
        }
    }

    @Test
    void aClearTextErrorAfterClientChoiceIsRefusedAndItsForgedTextIsNotShownAsTheServers() throws Exception {
        start();
        String forged = "your account is suspended: call +1 555 0100 with your passphrase";
        try (MitmProxy proxy = new MitmProxy(cluster.address(), 2)) {
            // The first frame from the server (LOGIN_CHALLENGE) is replaced by a clear ERROR: anyone on the path can
            // write one, so the client must not present it as the server's word.
            proxy.rule(Flow.SERVER_TO_CLIENT, (u, w) -> w.send(u.isFrame()
                    ? RispCommandsBytes.of(RispCommand.integer(CoreCommands.ERROR.id(), HandshakeError.LOGIN_FAILED
                            .code()), RispCommand.string(CoreCommands.ERROR_TEXT.id(),
                                    forged.getBytes(StandardCharsets.UTF_8)))
                    : u.bytes()));
            LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(proxy.address(), "alice",
                    cluster.passphrase(PASS), cluster.pinned(), new OcaSession.Options()));
            assertEquals(HandshakeError.UNEXPECTED_MESSAGE.code(), e.code(), e::getMessage);
            assertFalse(e.getMessage().contains("555"), e.getMessage());
        }
    }
}
