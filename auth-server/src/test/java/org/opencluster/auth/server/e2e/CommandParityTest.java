package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.WebAuthnCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.ParamKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.CommandDispatcher;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Every command the dispatcher serves is reachable over both transports with the same answer: the REST transport
 * adds no command logic of its own. Run as an admin, so admin commands are reached too; parameters are chosen to
 * be harmless (an unknown suite, an unknown account), so the server's state is the same for both calls.
 */
class CommandParityTest {
    private static final char[] PASS = "parity pass phrase".toCharArray();
    /** Replies that are a fresh random value per call (one-time codes): compared by id and length only. */
    private static final Set<Integer> RANDOM_REPLIES = Set.of(EnrolCommands.ENROLMENT_CODE_IS.id());

    @TempDir
    Path dir;

    @Test
    void everyServedCommandAnswersTheSameOverTcpAndRest() throws Exception {
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .httpsListen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (TestCluster cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build())) {
            cluster.person("root", PASS, Account.Role.ADMIN, KeyType.EC_P256);
            CommandDispatcher dispatcher = cluster.server.dispatcher();
            CommandRegistry registry = dispatcher.registry();
            RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
            RestClient.Session overRest = rest.login("root", cluster.passphrase(PASS), cluster.pinned(), registry);
            List<CommandSpec> served = new ArrayList<>();
            for (CommandSpec spec : registry.all()) {
                if (dispatcher.serves(spec.id())) {
                    served.add(spec);
                } else {
                    assertFalse(spec.direction() == Direction.CLIENT_TO_SERVER && isCore(spec),
                            spec + " is a core request but not served");
                }
            }
            // The whole sequence over TCP, then the same sequence over REST: commands with per-account state
            // (a registration begun, then finished) see the same state on both runs.
            List<List<RispCommand>> overTcpReplies = new ArrayList<>();
            try (OcaSession overTcp = OcaSession.login(cluster.address(), "root", cluster.passphrase(PASS),
                    cluster.pinned(), new OcaSession.Options().commands(registry))) {
                for (CommandSpec spec : served) {
                    overTcpReplies.add(overTcp.exec(sample(spec)));
                }
                List<String> compared = new ArrayList<>();
                for (int k = 0; k < served.size(); k++) {
                    CommandSpec spec = served.get(k);
                    List<RispCommand> tcp = overTcpReplies.get(k);
                    List<RispCommand> http = overRest.exec(sample(spec));
                    assertFalse(tcp.isEmpty(), spec + " had no answer over TCP");
                    assertEquals(tcp.size(), http.size(), spec + ": " + tcp + " vs " + http);
                    for (int i = 0; i < tcp.size(); i++) {
                        RispCommand a = tcp.get(i);
                        RispCommand b = http.get(i);
                        assertEquals(a.id(), b.id(), spec + " reply " + i);
                        if (RANDOM_REPLIES.contains(a.id())) {
                            assertEquals(a.length(), b.length(), spec + " reply " + i);
                        } else if (a.id() == WebAuthnCommands.WEBAUTHN_CREATION_OPTIONS.id()) {
                            // Everything but the fresh random challenge (and the user handle, which is drawn afresh
                            // while an account has no key yet) is the same.
                            assertEquals(withoutChallenge(a), withoutChallenge(b), spec + " reply " + i);
                        } else {
                            assertEquals(a, b, spec + " reply " + i);
                        }
                    }
                    compared.add(spec.name());
                }
                assertTrue(compared.containsAll(List.of("PING", "WHOAMI", "ECHO", "ADMIN_SUITES_GET",
                    "ADMIN_ACCOUNTS_LIST", "ADMIN_SESSIONS_LIST", "ENROL_ACCOUNT", "WEBAUTHN_REGISTER_BEGIN",
                    "WEBAUTHN_REGISTER_FINISH", "WEBAUTHN_LIST_CREDENTIALS", "WEBAUTHN_REGISTRATION_CODE")),
                    compared.toString());
                assertEquals(served.size(), compared.size());
            }
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode withoutChallenge(RispCommand options) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
                RestClient.JSON.readTree(options.copyBytes());
        com.fasterxml.jackson.databind.node.ObjectNode publicKey = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.get("publicKey");
        assertEquals(43, publicKey.remove("challenge").asText().length(), "a 32-byte challenge");
        assertEquals(43, ((com.fasterxml.jackson.databind.node.ObjectNode) publicKey.get("user")).remove("id").asText()
                .length(), "a 32-byte user handle");
        return json;
    }

    private static boolean isCore(CommandSpec spec) {
        return CoreCommands.registry().lookup(spec.id()) != null && spec.id() != CoreCommands.ERROR.id();
    }

    /** A harmless parameter of the command's kind: an unknown suite or session id, an unknown name. */
    private static RispCommand sample(CommandSpec spec) {
        int id = spec.id();
        if (spec.kind() == ParamKind.NONE) {
            return RispCommand.none(id);
        }
        if (spec.kind() == ParamKind.INTEGER) {
            int width = 1 << ((id >> 12) & 7);
            return width > 8 ? RispCommand.fixed(id, new byte[width])
                    : RispCommand.integer(id, width == 1 ? 0x99 : 0x0999);
        }
        return RispCommand.string(id, "nobody-\u00e9".getBytes(StandardCharsets.UTF_8));
    }
}
