package org.opencluster.auth.server.net;

import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;

/** What a {@link Connection} may do to its peer. */
public interface Outbound {
    /** Queues a command (written at the next {@link #flush()}, or when the current inbound batch is done). */
    void send(RispCommand command);

    void flush();

    /** Sends {@code ERROR} + {@code ERROR_TEXT}, flushes, and closes the connection. */
    void fail(ErrorCode code, String text);

    /** The peer's address as text, for throttling and logs. */
    String remoteAddress();
}
