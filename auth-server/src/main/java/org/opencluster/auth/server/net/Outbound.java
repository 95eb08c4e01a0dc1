package org.opencluster.auth.server.net;

import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;

/** What a {@link Connection} may do to its peer. */
public interface Outbound {
    /** Queues a command (written at the next {@link #flush()}, or when the current inbound batch is done). */
    void send(RispCommand command);

    /** Queues bytes that already are encoded commands (sealed frames). */
    void sendRaw(java.nio.ByteBuffer bytes);

    void flush();

    /** Flushes what is queued, then closes the connection. */
    void close();

    /** Sends {@code ERROR} + {@code ERROR_TEXT}, flushes, and closes the connection. */
    void fail(ErrorCode code, String text);

    /** The peer's address as text, for throttling and logs. */
    String remoteAddress();
}
