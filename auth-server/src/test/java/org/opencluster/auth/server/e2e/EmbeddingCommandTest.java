package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.Access;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/** The embedding system's own command goes through the same registry and dispatcher as the built-ins. */
class EmbeddingCommandTest {
    static final CommandSpec GREET = CommandSpec.string(0x9801, "CLUSTER_GREET", Direction.CLIENT_TO_SERVER, 255);
    static final CommandSpec GREETING = CommandSpec.string(0x9802, "CLUSTER_GREETING", Direction.SERVER_TO_CLIENT, 512);

    @TempDir
    Path dir;

    @Test
    void anEmbeddedCommandIsServedOverTcp() throws Exception {
        CommandRegistry own = CommandRegistry.builder().register(GREET).register(GREETING).build();
        ServerConfig config = ServerConfig.builder().dataDir(dir).listen(new InetSocketAddress("127.0.0.1", 0))
                .envelopeKdfFloor(TestCluster.TEST_KDF).build();
        PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
                .policy(EnvelopePolicy.builder().floor(TestCluster.TEST_KDF).build()).build();
        try (AuthServer server = AuthServer.builder(config).commands(own, routes -> routes.route(GREET,
                Access.ANY_ACCOUNT, (caller, cmd, out) -> out.send(RispCommand.string(GREETING.id(),
                        ("hello " + StandardCharsets.UTF_8.decode(cmd.bytes()) + ", from " + caller.username())
                                .getBytes(StandardCharsets.UTF_8))))).start()) {
            var trust = TestCluster.pinnedTo(server.serverCertificate().getPublicKey().getEncoded());
            try (OcaSession e = OcaSession.enrol(server.address(), "root", server.issueFirstAdminCode().orElseThrow(), trust,
                    new OcaSession.Options())) {
                Enroller.person(e, "root", "pw".toCharArray(), KeyType.EC_P256, envelopes, new java.security.SecureRandom());
            }
            CommandRegistry clientView = StandardCommands.with(own);
            try (OcaSession s = OcaSession.login(server.address(), "root",
                    new org.opencluster.auth.client.login.PassphraseCredential("pw".toCharArray(), envelopes), trust,
                    new OcaSession.Options().commands(clientView))) {
                List<RispCommand> r = s.exec(RispCommand.string(GREET.id(), "world".getBytes(StandardCharsets.UTF_8)));
                assertEquals("hello world, from root", StandardCharsets.UTF_8.decode(r.get(0).bytes()).toString());
            }
        }
    }
}
