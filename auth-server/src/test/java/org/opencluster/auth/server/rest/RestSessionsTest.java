package org.opencluster.auth.server.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.net.Connection;
import org.opencluster.auth.server.net.Outbound;

/** Session bookkeeping of the REST transport (pure logic; the connection is a stand-in that records calls). */
class RestSessionsTest {
    private final org.opencluster.auth.server.testsupport.SteppingTicker ticker =
            new org.opencluster.auth.server.testsupport.SteppingTicker();

    /** Logs in after its first command; echoes every later command back; records onClose. */
    private static final class Recording implements Connection {
        boolean loggedIn;
        int closes;
        final List<Integer> seen = new ArrayList<>();
        /** Where the session's answers go: what the server would write to from another thread to end it. */
        Outbound out;

        @Override
        public void onCommand(RispCommand command, Outbound out) {
            this.out = out;
            seen.add(command.id());
            if (loggedIn) {
                out.send(command);
            }
            loggedIn = true;
        }

        @Override
        public boolean loggedIn() {
            return loggedIn;
        }

        @Override
        public void onClose() {
            closes++;
        }
    }

    private final List<Recording> made = new ArrayList<>();

    private RestSessions sessions(int maxPending, int maxSessions) {
        return sessions(maxPending, maxPending, maxSessions);
    }

    private RestSessions sessions(int maxPending, int perSource, int maxSessions) {
        return new RestSessions(remote -> {
            Recording r = new Recording();
            made.add(r);
            return r;
        }, ticker, new SecureRandom(), Duration.ofMinutes(5), Duration.ofHours(1), HANDSHAKE, maxPending, perSource,
                maxSessions, 1024);
    }

    private static final Duration HANDSHAKE = Duration.ofSeconds(10);
    /** A whole CLIENT_HELLO marker: the only kind of command a session accepts before login (strict decoding). */
    private static final byte[] HELLO = {0x72, 0x00};

    /** Issue 12, row 5: the old cap answered 503 to every newcomer once a few sources held every pending slot. */
    @Test
    void aNewSourceTakesTheOldestPendingSlotOfTheLargestSource() throws Exception {
        RestSessions s = sessions(2, 10);
        RestSession a = s.open("10.0.0.1");
        RestSession b = s.open("10.0.0.1");
        RestSession c = s.open("10.0.0.2");
        assertTrue(s.find(a.id()).isEmpty(), "the oldest pending session of the largest source was evicted");
        assertTrue(s.find(b.id()).isPresent() && s.find(c.id()).isPresent());
        assertEquals(1, made.get(0).closes);
        // Sources holding equal shares: a newcomer with as many gets no one's slot.
        RestProblem p = assertThrows(RestProblem.class, () -> s.open("10.0.0.2"));
        assertEquals(503, p.status());
        assertEquals(ErrorCode.RATE_LIMITED.code(), p.code());
        // Once one of them has logged in, it no longer counts as pending.
        b.exchange(HELLO, true, ticker.getAsLong());
        assertTrue(b.loggedIn());
        s.open("10.0.0.3");
        assertEquals(3, s.size());
    }

    @Test
    void aSourceAtItsCapLosesItsOwnOldestPendingSession() throws Exception {
        RestSessions s = sessions(10, 2, 10);
        RestSession first = s.open("10.0.0.1");
        ticker.advance(Duration.ofMillis(1));
        RestSession second = s.open("10.0.0.1");
        ticker.advance(Duration.ofMillis(1));
        RestSession third = s.open("10.0.0.1");
        assertTrue(s.find(first.id()).isEmpty());
        assertTrue(s.find(second.id()).isPresent() && s.find(third.id()).isPresent());
        s.open("10.0.0.2");
        assertEquals(3, s.size());
    }

    @Test
    void aPendingSessionEndsAtTheHandshakeDeadline() throws Exception {
        RestSessions s = sessions(10, 10);
        RestSession pending = s.open("10.0.0.1");
        RestSession in = s.open("10.0.0.1");
        in.exchange(HELLO, true, ticker.getAsLong());
        ticker.advance(HANDSHAKE.plusMillis(1));
        assertTrue(s.find(pending.id()).isEmpty(), "still pending after the handshake deadline");
        assertEquals(1, made.get(0).closes);
        assertTrue(s.find(in.id()).isPresent(), "a logged-in session is not subject to the handshake deadline");
        assertEquals(1, s.size());
    }

    /**
     * Issue 17 item 5: every refusal and eviction of a pending REST session reaches the pre-auth rejection meter
     * (before, only the TCP listener's were counted; an HTTPS flood left the meter at zero).
     */
    @Test
    void refusalsAndEvictionsAreReportedByReason() throws Exception {
        List<String> reasons = new ArrayList<>();
        RestSessions t = sessions(2, 10, 10);
        t.onRejection(reasons::add);
        t.open("10.0.0.1");
        t.open("10.0.0.1");
        assertThrows(RestProblem.class, () -> t.open("10.0.0.1"));
        assertEquals(List.of("https_handshake_cap"), reasons);
        t.open("10.0.0.2");
        assertEquals(List.of("https_handshake_cap", "https_pending_evicted"), reasons);
        RestSessions u = sessions(10, 1);
        u.onRejection(reasons::add);
        u.open("10.0.0.1");
        assertThrows(RestProblem.class, () -> u.open("10.0.0.1"));
        assertEquals("https_session_cap", reasons.get(reasons.size() - 1));
    }

    @Test
    void totalSessionsAreCapped() throws Exception {
        RestSessions s = sessions(10, 1);
        s.open("10.0.0.1");
        assertEquals(503, assertThrows(RestProblem.class, () -> s.open("10.0.0.1")).status());
    }

    @Test
    void idleAndExpiredSessionsEndAndReleaseTheirConnection() throws Exception {
        RestSessions s = sessions(10, 10);
        RestSession idle = s.open("10.0.0.1");
        RestSession busy = s.open("10.0.0.1");
        busy.exchange(HELLO, true, ticker.getAsLong());
        ticker.advance(Duration.ofMinutes(4));
        busy.exchange(new byte[] {0x71, 0x01}, false, ticker.getAsLong());
        ticker.advance(Duration.ofMinutes(2));
        assertEquals(1, s.reap());
        assertTrue(s.find(idle.id()).isEmpty());
        assertEquals(1, made.get(0).closes);
        assertTrue(s.find(busy.id()).isPresent());
        ticker.advance(Duration.ofMinutes(61));
        assertEquals(1, s.reap());
        assertEquals(1, made.get(1).closes);
        assertEquals(0, s.size());
    }

    /** What the server writes when it ends a session (here unsealed: the stand-in connection has no keys). */
    private static final byte[] GOODBYE = org.opencluster.auth.protocol.risp.RispEncoder.toBytes(RispCommand.integer(
            org.opencluster.auth.protocol.command.CoreCommands.ERROR.id(), ErrorCode.NOT_AUTHENTICATED.code()));

    /** A session logged in by one exchange, then ended by the server from outside any request (as an admin does). */
    private RestSession loggedInThenEndedByTheServer(RestSessions s) throws Exception {
        RestSession session = s.open("10.0.0.1");
        session.exchange(HELLO, true, ticker.getAsLong());
        Outbound out = made.get(made.size() - 1).out;
        out.sendRaw(java.nio.ByteBuffer.wrap(GOODBYE));
        out.close();
        return session;
    }

    /**
     * Issue 13 item 11 over REST: a session the server ends between requests releases its connection at the next
     * reap, keeps its last bytes for the client's next request (any body: the keys are gone), and is unknown after.
     */
    @Test
    void aSessionTheServerEndsKeepsItsLastBytesForTheNextRequestOnly() throws Exception {
        RestSessions s = sessions(10, 10);
        RestSession session = loggedInThenEndedByTheServer(s);
        Recording r = made.get(0);
        assertEquals(0, s.reap(), "not dropped: its last bytes wait for the client");
        assertEquals(1, r.closes, "but the connection (keys, session list) is released at once");
        RestSession found = s.find(session.id()).orElseThrow();
        RestSession.Exchange last = found.exchange(new byte[] {0x71, 0x01}, false, ticker.getAsLong());
        assertTrue(last.closed());
        assertEquals(java.util.HexFormat.of().formatHex(GOODBYE), java.util.HexFormat.of().formatHex(last.output()));
        assertEquals(1, r.seen.size(), "the body was not fed to the ended session: " + r.seen);
        assertTrue(s.find(session.id()).isEmpty(), "told once");
        assertEquals(1, r.closes);
    }

    @Test
    void aSessionTheServerEndedIsDroppedAtItsIdleTimeoutIfNoRequestComes() throws Exception {
        RestSessions s = sessions(10, 10);
        RestSession session = loggedInThenEndedByTheServer(s);
        Recording r = made.get(0);
        assertEquals(0, s.reap());
        assertEquals(1, s.size());
        ticker.advance(Duration.ofMinutes(6));
        assertEquals(1, s.reap());
        assertEquals(0, s.size());
        assertTrue(s.find(session.id()).isEmpty());
        assertEquals(1, r.closes);
    }

    @Test
    void sessionIdsAreRandom128BitBase64url() throws Exception {
        RestSessions s = sessions(10, 10);
        String a = s.open("x").id();
        String b = s.open("x").id();
        assertEquals(22, a.length());
        assertTrue(a.matches("[A-Za-z0-9_-]{22}"));
        assertFalse(a.equals(b));
    }

    @Test
    void phasesAreEnforcedAndOutputIsTheConnectionsBytes() throws Exception {
        RestSessions s = sessions(10, 10);
        RestSession r = s.open("x");
        assertEquals(409, assertThrows(RestProblem.class, () -> r.exchange(new byte[] {0x71, 0x01}, false, ticker.getAsLong()))
                .status());
        assertEquals(0, r.exchange(HELLO, true, ticker.getAsLong()).output().length);
        assertEquals(409, assertThrows(RestProblem.class, () -> r.exchange(HELLO, true, ticker.getAsLong()))
                .status());
        RestSession.Exchange x = r.exchange(new byte[] {0x71, 0x02, 0x71, 0x03}, false, ticker.getAsLong());
        assertEquals(4, x.output().length);
        assertFalse(x.closed());
        RestProblem bad = assertThrows(RestProblem.class, () -> r.exchange(new byte[] {(byte) 0x91}, false, ticker.getAsLong()));
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), bad.code());
        assertTrue(r.closed());
        assertEquals(1, made.get(0).closes);
    }

    /** Issue 12, item 1: before login a session decodes only handshake and frame commands (section 3). */
    @Test
    void beforeLoginOnlyHandshakeCommandsAreDecoded() throws Exception {
        RestSessions s = sessions(10, 10);
        RestSession r = s.open("x");
        RestProblem p = assertThrows(RestProblem.class, () -> r.exchange(new byte[] {0x71, 0x01}, true,
                ticker.getAsLong()));
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), p.code());
        assertTrue(p.getMessage().contains("UNKNOWN_COMMAND"), p.getMessage());
        assertTrue(made.get(0).seen.isEmpty());
        RestSession big = s.open("y");
        // A handshake frame over 16 KiB: refused by its header, before any of it is buffered.
        byte[] frame = {(byte) 0xa3, 0x00, 0x00, 0x00, 0x40, 0x01};
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), assertThrows(RestProblem.class, () -> big.exchange(frame, true,
                ticker.getAsLong())).code());
    }
}
