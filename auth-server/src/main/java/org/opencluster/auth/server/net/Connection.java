package org.opencluster.auth.server.net;

import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * One connection's protocol logic (its state machine), independent of the transport: the Netty layer frames bytes
 * into commands and hands them here one at a time, in order, never concurrently.
 */
public interface Connection {
    /** Decides one framed command. Throwing closes the connection with an INTERNAL error. */
    void onCommand(RispCommand command, Outbound out);

    /**
     * Where {@link #onCommand} runs. {@code false} (the default): every command runs on a logic executor, where it
     * may block. {@code true}: on the connection's I/O thread, where it must not block; the connection hands
     * blocking work (token operations, database lookups, slow handlers) to {@link Outbound#offload}, and no
     * further command is delivered until that work is done. This saves two thread hand-offs per request on the
     * data path, which on a loaded machine cost more than the cryptography of a small frame.
     */
    default boolean runsOnIoThread() {
        return false;
    }

    /**
     * True once the login handshake has succeeded and commands are accepted (the REST transport routes
     * handshake flights and command frames to different endpoints by this).
     */
    default boolean loggedIn() {
        return false;
    }

    /**
     * The bytes that end this connection with an error the transport decided (handshake deadline, idle timeout,
     * lifetime, a failure): sealed once the connection has keys (docs/PROTOCOL.md 5.3.10 and 7: after CLIENT_CHOICE
     * only sealed frames count; an established session's error frame is followed by its close frame), or empty
     * when the error goes in clear.
     */
    default java.util.Optional<java.nio.ByteBuffer> endingBytes(org.opencluster.auth.protocol.command.ErrorCode code,
            String text) {
        return java.util.Optional.empty();
    }

    /** Called once when the connection is gone, for whatever reason; release secrets here. */
    default void onClose() {
    }
}
