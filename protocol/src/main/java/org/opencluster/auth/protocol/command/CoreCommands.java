package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;

/**
 * The built-in application commands that travel inside an established session (docs/PROTOCOL.md, "Built-in
 * commands"). An embedding system adds its own with {@link CommandRegistry.Builder#include(CommandRegistry)}.
 */
public final class CoreCommands {
    /** Liveness check; answered with {@link #PONG}. */
    public static final CommandSpec PING = CommandSpec.none(0x7101, "PING", CLIENT_TO_SERVER);
    public static final CommandSpec PONG = CommandSpec.none(0x7102, "PONG", SERVER_TO_CLIENT);
    /** Who is this session logged in as; answered with {@link #WHOAMI_IS}. */
    public static final CommandSpec WHOAMI = CommandSpec.none(0x7103, "WHOAMI", CLIENT_TO_SERVER);
    /** Username of the session (UTF-8). */
    public static final CommandSpec WHOAMI_IS = CommandSpec.string(0x8103, "WHOAMI_IS", SERVER_TO_CLIENT, 255);
    /** Echo test: answered with {@link #ECHO_REPLY} carrying the same bytes. */
    public static final CommandSpec ECHO = CommandSpec.string(0x9104, "ECHO", CLIENT_TO_SERVER, 65535);
    public static final CommandSpec ECHO_REPLY = CommandSpec.string(0x9105, "ECHO_REPLY", SERVER_TO_CLIENT, 65535);
    /** A command that has no other answer succeeded. */
    public static final CommandSpec OK = CommandSpec.none(0x7106, "OK", SERVER_TO_CLIENT);
    /** A failed command: the {@link ErrorCode} as a 2-byte integer, always followed by {@link #ERROR_TEXT}. */
    /**
     * Zero bytes that pad a frame (docs/PROTOCOL.md section 6, optional policy); the receiver drops it once checked.
     * At most block - 1 bytes of the largest block (4096).
     */
    public static final CommandSpec PADDING = CommandSpec.string(0x9107, "PADDING", org.opencluster.auth.protocol.risp.Direction.BOTH, 4095);
    public static final CommandSpec ERROR = CommandSpec.integer(0x1100, "ERROR", SERVER_TO_CLIENT);
    /** Human-readable explanation of the preceding {@link #ERROR} (UTF-8, never containing secrets). */
    public static final CommandSpec ERROR_TEXT = CommandSpec.string(0x9100, "ERROR_TEXT", SERVER_TO_CLIENT, 1024);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(PING).register(PONG)
            .register(WHOAMI).register(WHOAMI_IS)
            .register(ECHO).register(ECHO_REPLY)
            .register(OK).register(ERROR).register(ERROR_TEXT).register(PADDING)
            .build();

    private CoreCommands() {
    }

    /** The built-in commands (immutable). */
    public static CommandRegistry registry() {
        return REGISTRY;
    }
}
