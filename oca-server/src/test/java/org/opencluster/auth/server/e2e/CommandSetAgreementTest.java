package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.cli.OcaCli;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.server.dispatch.CommandDispatcher;

/**
 * The server, the client library and the CLI speak one command set (issue 17 item 3): every command a server
 * started as in production serves, the CLI's {@code exec} can send by name and the client library frames. Before
 * {@link StandardCommands} each assembled its own list: the CLI knew 36 commands against the server's 53, so
 * {@code oca exec WEBAUTHN_LIST_CREDENTIALS} (and every REAUTH_* and WEBAUTHN_* request) was refused as unknown,
 * and {@link #theCheckSeesACommandTheCliCannotSend} shows the check catching exactly such a gap.
 */
class CommandSetAgreementTest {
    private static final CommandSpec EMBEDDED = CommandSpec.none(0x78f0, "EMBEDDED_ONLY", Direction.CLIENT_TO_SERVER);

    @TempDir
    Path dir;

    @Test
    void everyServedCommandIsSendableByTheCliAndKnownToTheClientLibrary() throws Exception {
        try (AuthServer server = AuthServer.builder(config()).start()) {
            CommandDispatcher dispatcher = server.dispatcher();
            assertEquals(List.of(), unsendableByCli(dispatcher));
            assertEquals(List.of(), unknownToClientLibrary(dispatcher));
            assertEquals(StandardCommands.registry().all(), dispatcher.registry().all(),
                    "a server without embedded commands registers exactly the standard set");
        }
    }

    /** An embedder's own command is served but is no standard command: the CLI cannot send it, and the check says so. */
    @Test
    void theCheckSeesACommandTheCliCannotSend() throws Exception {
        CommandRegistry own = CommandRegistry.builder().register(EMBEDDED).build();
        try (AuthServer server = AuthServer.builder(config()).commands(own, routes -> routes.route(EMBEDDED,
                Access.ANY_ACCOUNT, (caller, cmd, out) -> { })).start()) {
            assertEquals(List.of(EMBEDDED.name()), unsendableByCli(server.dispatcher()));
            assertEquals(List.of(EMBEDDED.name()), unknownToClientLibrary(server.dispatcher()));
        }
    }

    private ServerConfig config() {
        return ServerConfig.builder().dataDir(dir.resolve("data")).listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
    }

    private static List<String> unsendableByCli(CommandDispatcher dispatcher) {
        List<String> missing = new ArrayList<>();
        for (CommandSpec spec : served(dispatcher)) {
            if (!OcaCli.sendable(spec.name()).equals(Optional.of(spec))
                    || !OcaCli.sendable(spec.name().toLowerCase(java.util.Locale.ROOT)).equals(Optional.of(spec))) {
                missing.add(spec.name());
            }
        }
        return missing;
    }

    private static List<String> unknownToClientLibrary(CommandDispatcher dispatcher) {
        CommandRegistry client = new OcaSession.Options().commands();
        List<String> missing = new ArrayList<>();
        for (CommandSpec spec : served(dispatcher)) {
            if (!spec.equals(client.lookup(spec.id()))) {
                missing.add(spec.name());
            }
        }
        return missing;
    }

    private static List<CommandSpec> served(CommandDispatcher dispatcher) {
        List<CommandSpec> served = dispatcher.registry().all().stream().filter(s -> dispatcher.serves(s.id())).toList();
        if (served.size() < 20) { // 26 today: a guard against a check that passes on an empty server
            throw new AssertionError("the server serves only " + served.size() + " commands: " + served);
        }
        return served;
    }
}
