package org.opencluster.auth.client;

import java.io.IOException;
import java.util.List;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * A logged-in session as commands see it, whatever carries it (TCP {@link OcaSession}, or the REST transport's
 * frames): send commands in one frame, get the reply frame's commands; and the session id the handshake agreed,
 * which proofs bound to this session name.
 */
public interface CommandChannel {
    List<RispCommand> exec(RispCommand... commands) throws IOException;

    byte[] sessionId();
}
