package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;

/**
 * The server ending a healthy session on its own initiative (docs/PROTOCOL.md section 7.1): one last data frame,
 * sealed like every other, holding {@link #SESSION_CLOSING} and {@link #SESSION_CLOSING_TEXT}, then the sealed close
 * frame. Unsolicited: it may arrive while the client waits for the answer to a request, or before it sends one.
 */
public final class SessionCommands {
    /** 2 bytes: why, as an {@link ErrorCode} ({@link ErrorCode#SHUTTING_DOWN}); always followed by the text. */
    public static final CommandSpec SESSION_CLOSING = CommandSpec.integer(0x11a0, "SESSION_CLOSING", SERVER_TO_CLIENT);
    /** UTF-8, at most 1 024 bytes: the reason for a person ("server shutting down"), never secret. */
    public static final CommandSpec SESSION_CLOSING_TEXT = CommandSpec.string(0x91a1, "SESSION_CLOSING_TEXT",
            SERVER_TO_CLIENT, 1024);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(SESSION_CLOSING).register(SESSION_CLOSING_TEXT).build();

    private SessionCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }
}
