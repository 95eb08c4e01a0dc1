package org.opencluster.auth.protocol.command;

import org.opencluster.auth.protocol.risp.CommandRegistry;

/**
 * The standard command set: every command of the command classes in this package, the one list that the server
 * serves from, the client library frames with, the CLI looks names up in and the bench drives. A new command class
 * is added here and nowhere else, so the four cannot disagree.
 */
public final class StandardCommands {
    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .include(CoreCommands.registry())
            .include(SessionCommands.registry())
            .include(ReauthCommands.registry())
            .include(AdminCommands.registry())
            .include(EnrolCommands.registry())
            .include(AccountLifecycleCommands.registry())
            .include(WebAuthnCommands.registry())
            .include(OpaqueCommands.registry())
            .build();

    private StandardCommands() {
    }

    /** The standard commands (immutable). */
    public static CommandRegistry registry() {
        return REGISTRY;
    }

    /** The standard commands plus an embedding system's own; a clash of id or name is refused at once. */
    public static CommandRegistry with(CommandRegistry extra) {
        return CommandRegistry.builder().include(REGISTRY).include(extra).build();
    }
}
