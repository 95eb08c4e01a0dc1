package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.SessionEndedException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;

/** What a session the server ended looks like to the Java client (docs/PROTOCOL.md 7.1). */
final class EndedSessions {
    private static final RispCommand PING = RispCommand.none(CoreCommands.PING.id());

    private EndedSessions() {
    }

    /**
     * The server said why ({@code code}) in a last frame, then closed the session: the client reports it as the
     * session's end with that code when the frame was there before the next request, or as that request's reply
     * when it was not; either way the session is unusable afterwards.
     */
    static void assertEndedBy(OcaSession s, ErrorCode code) throws Exception {
        assertEndedBy(s, code.code());
    }

    /** As above for any code (a handshake error such as SUITE_DISABLED ends a session too). */
    static void assertEndedBy(OcaSession s, int code) throws Exception {
        try {
            List<RispCommand> why = s.exec(PING);
            assertEquals(CoreCommands.ERROR.id(), why.get(0).id(), why::toString);
            assertEquals(code, why.get(0).number());
        } catch (SessionEndedException e) {
            assertEquals(code, e.serverCode(), e.getMessage());
        }
        assertThrows(IOException.class, () -> s.exec(PING), "the connection is closed");
    }
}
