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
     * True once the login handshake has succeeded and commands are accepted (the REST transport routes
     * handshake flights and command frames to different endpoints by this).
     */
    default boolean loggedIn() {
        return false;
    }

    /** Called once when the connection is gone, for whatever reason; release secrets here. */
    default void onClose() {
    }
}
