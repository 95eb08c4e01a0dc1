package org.opencluster.auth.server.dispatch;

import java.nio.charset.StandardCharsets;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;

/** PING, WHOAMI and ECHO: the commands every server serves. None blocks, so they run on the I/O thread. */
public final class BuiltinCommands {
    private BuiltinCommands() {
    }

    public static CommandDispatcher.Builder install(CommandDispatcher.Builder b) {
        return b
                .routeNonBlocking(CoreCommands.PING, Access.ANY_ACCOUNT,
                        (caller, cmd, out) -> out.send(RispCommand.none(CoreCommands.PONG.id())))
                .routeNonBlocking(CoreCommands.WHOAMI, Access.ANY_ACCOUNT,
                        (caller, cmd, out) -> out.send(RispCommand.string(CoreCommands.WHOAMI_IS.id(),
                                caller.username().getBytes(StandardCharsets.UTF_8))))
                .routeNonBlocking(CoreCommands.ECHO, Access.ANY_ACCOUNT,
                        (caller, cmd, out) -> out.send(RispCommand.string(CoreCommands.ECHO_REPLY.id(), cmd.bytes())));
    }
}
