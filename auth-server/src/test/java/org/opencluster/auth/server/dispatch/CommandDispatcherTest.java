package org.opencluster.auth.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;

class CommandDispatcherTest {
    private static final CommandSpec SHUTDOWN = CommandSpec.none(0x7801, "SHUTDOWN_NODE", Direction.CLIENT_TO_SERVER);
    private static final CommandSpec UNSERVED = CommandSpec.none(0x7802, "UNSERVED", Direction.CLIENT_TO_SERVER);
    private static final CommandSpec BOOM = CommandSpec.none(0x7803, "BOOM", Direction.CLIENT_TO_SERVER);
    private static final CommandRegistry REGISTRY = CommandRegistry.builder().include(CoreCommands.registry())
            .register(SHUTDOWN).register(UNSERVED).register(BOOM).build();
    private static final Caller ALICE = new Caller("alice", Account.Role.USER);
    private static final Caller ROOT = new Caller("root", Account.Role.ADMIN);

    private final CommandDispatcher dispatcher = BuiltinCommands.install(CommandDispatcher.builder(REGISTRY))
            .route(SHUTDOWN, Access.ADMIN_ONLY, (c, cmd, out) -> out.send(RispCommand.none(CoreCommands.PONG.id())))
            .route(BOOM, Access.ANY_ACCOUNT, (c, cmd, out) -> {
                throw new IllegalStateException("secret-ish detail");
            })
            .build();

    private List<RispCommand> run(Caller caller, RispCommand command) {
        List<RispCommand> out = new ArrayList<>();
        dispatcher.dispatch(caller, command, out::add);
        return out;
    }

    private static void assertError(ErrorCode code, List<RispCommand> replies) {
        assertEquals(2, replies.size(), replies.toString());
        assertEquals(CoreCommands.ERROR.id(), replies.get(0).id());
        assertEquals(code.code(), replies.get(0).number());
        assertEquals(CoreCommands.ERROR_TEXT.id(), replies.get(1).id());
    }

    @Test
    void builtinsAnswer() {
        assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())), run(ALICE, RispCommand.none(CoreCommands.PING.id())));
        assertEquals(List.of(RispCommand.string(CoreCommands.WHOAMI_IS.id(), "alice".getBytes(StandardCharsets.UTF_8))),
                run(ALICE, RispCommand.none(CoreCommands.WHOAMI.id())));
        byte[] payload = "hello over RISP".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(RispCommand.string(CoreCommands.ECHO_REPLY.id(), payload)),
                run(ALICE, RispCommand.string(CoreCommands.ECHO.id(), payload)));
    }

    @Test
    void refusalsAreErrorRepliesNotExceptions() {
        assertError(ErrorCode.UNKNOWN_COMMAND, run(ALICE, RispCommand.none(0x7fee)));
        assertError(ErrorCode.UNSUPPORTED_COMMAND, run(ALICE, RispCommand.none(UNSERVED.id())));
        assertError(ErrorCode.NOT_AUTHENTICATED, run(null, RispCommand.none(CoreCommands.PING.id())));
        assertError(ErrorCode.FORBIDDEN, run(ALICE, RispCommand.none(SHUTDOWN.id())));
        assertEquals(1, run(ROOT, RispCommand.none(SHUTDOWN.id())).size());
        List<RispCommand> boom = run(ALICE, RispCommand.none(BOOM.id()));
        assertError(ErrorCode.INTERNAL, boom);
        String text = StandardCharsets.UTF_8.decode(boom.get(1).bytes()).toString();
        assertEquals(false, text.contains("secret-ish"), "internal details stay in the log: " + text);
    }

    @Test
    void routingMistakesFailAtBuildTime() {
        CommandDispatcher.Builder b = CommandDispatcher.builder(REGISTRY);
        assertThrows(IllegalArgumentException.class,
                () -> b.route(CoreCommands.PONG, Access.ANY_ACCOUNT, (c, cmd, out) -> { }));
        assertThrows(IllegalArgumentException.class, () -> b.route(
                CommandSpec.none(0x7899, "NOT_REGISTERED", Direction.CLIENT_TO_SERVER), Access.ANY_ACCOUNT,
                (c, cmd, out) -> { }));
        b.route(CoreCommands.PING, Access.ANY_ACCOUNT, (c, cmd, out) -> { });
        assertThrows(IllegalArgumentException.class,
                () -> b.route(CoreCommands.PING, Access.ANY_ACCOUNT, (c, cmd, out) -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> CommandDispatcher.builder(CommandRegistry.builder().register(SHUTDOWN).build()));
    }

    @Test
    void onlyCommandsRoutedAsNonBlockingOrRefusedMayRunOnTheIoThread() {
        RispCommand ping = RispCommand.none(CoreCommands.PING.id());
        RispCommand echo = RispCommand.string(CoreCommands.ECHO.id(), new byte[4]);
        assertEquals(true, dispatcher.nonBlocking(List.of(ping, echo)), "built-ins never block");
        assertEquals(true, dispatcher.nonBlocking(List.of(RispCommand.none(UNSERVED.id()))), "a refusal needs no handler");
        assertEquals(false, dispatcher.nonBlocking(List.of(ping, RispCommand.none(SHUTDOWN.id()))),
                "a handler routed with route() may block, and so may the frame that carries it");
    }
}
