package org.opencluster.auth.server.net;

import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;

/** What a {@link Connection} may do to its peer. */
public interface Outbound {
    /** Queues a command (written at the next {@link #flush()}, or when the current inbound batch is done). */
    void send(RispCommand command);

    /** Queues bytes that already are encoded commands (sealed frames). */
    void sendRaw(java.nio.ByteBuffer bytes);

    /** Fills {@code length} bytes of a transport buffer in place (a pooled, direct buffer) and queues them. */
    void sendFilled(int length, Filler filler) throws Exception;

    /** Writes exactly the bytes it was given room for into {@code target} (position 0, limit = length). */
    @FunctionalInterface
    interface Filler {
        void fill(java.nio.ByteBuffer target) throws Exception;
    }

    void flush();

    /**
     * Runs {@code task} where it may block, in order with this connection's commands: no further command is
     * delivered to the connection until the task has finished and what it sent is queued. Call it from
     * {@link Connection#onCommand} only. A transport whose threads may all block runs the task at once.
     */
    default void offload(Runnable task) {
        task.run();
    }

    /** Flushes what is queued, then closes the connection. */
    void close();

    /**
     * Closes after the record layer refused a frame (nothing can be sent under a failed channel). TCP just closes;
     * the REST transport turns the reason into its problem answer.
     */
    default void closeOnFrameError(org.opencluster.auth.protocol.frame.FrameError error) {
        close();
    }

    /** Sends {@code ERROR} + {@code ERROR_TEXT}, flushes, and closes the connection. */
    void fail(ErrorCode code, String text);

    /** The peer's address as text, for throttling and logs. */
    String remoteAddress();
}
