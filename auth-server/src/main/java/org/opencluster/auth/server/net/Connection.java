package org.opencluster.auth.server.net;

import java.util.Optional;
import org.opencluster.auth.protocol.frame.FrameError;
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

    /**
     * The bytes that tell the peer the server is shutting down (docs/PROTOCOL.md section 7.1): an established
     * session's last frame ({@code SESSION_CLOSING} + {@code SESSION_CLOSING_TEXT}) and close frame; a login in
     * progress ends with {@code SHUTTING_DOWN} as {@link #endingBytes} would say it. Empty: the error goes in clear.
     */
    default java.util.Optional<java.nio.ByteBuffer> shutdownBytes(String reason) {
        return endingBytes(org.opencluster.auth.protocol.command.ErrorCode.SHUTTING_DOWN, reason);
    }

    /**
     * True once the peer sends under keys (handshake keys after CLIENT_CHOICE, then the application keys): from
     * then on {@link #checkInboundFrame} can tell a frame of the peer from a forgery.
     */
    default boolean hasInboundKeys() {
        return false;
    }

    /**
     * Whether the record layer would accept the peer's next frame, decided without any effect on the connection
     * (no failure, no sequence advance). For a transport where anyone who knows a routing id can inject a frame
     * (REST), so that a forgery is dropped instead of ending the session. Only while {@link #hasInboundKeys()}.
     *
     * @return empty when the frame would be accepted, else the record-layer error it would cause
     */
    default Optional<FrameError> checkInboundFrame(RispCommand marker, RispCommand length, RispCommand ciphertext) {
        throw new IllegalStateException("this connection has no inbound keys");
    }

    /** Called once when the connection is gone, for whatever reason; release secrets here. */
    default void onClose() {
    }
}
