package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/** HTTPS served with the server key inside SoftHSM2: TLS signs in the token, and the REST login works over it. */
@Tag("softhsm")
class RestSoftHsmTest {
    private static final String SO_PIN = "12345678";
    private static final String SERVER_PIN = "8765"; // = OCA_TEST_SERVER_PIN of the surefire execution
    private static final String SERVER_KEY =
            "pkcs11:token=oca-server;object=server-key;type=private?pin-source=env:OCA_TEST_SERVER_PIN";
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    private static SoftHsmFixture hsm;
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        RealComponent.require(SoftHsmFixture.softHsmInstalled() && SoftHsmFixture.pkcs11ToolInstalled(),
                "SoftHSM2 and OpenSC (apt-get install softhsm2 opensc)");
        hsm = SoftHsmFixture.forTestClass(RestSoftHsmTest.class);
        hsm.initToken("oca-server", SO_PIN, SERVER_PIN);
        hsm.keygenWithCertificate("oca-server", SERVER_PIN, "server-key", "EC:prime256v1", "01");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    @Test
    void tlsIsServedWithTheTokenKeyAndTheRestLoginWorks() throws Exception {
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data")).serverKey(SERVER_KEY)
                .httpsListen(new InetSocketAddress("127.0.0.1", 0)).build();
        try (TestCluster cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().defaultModule(hsm.module()).build())) {
            assertEquals(List.of(), Files.list(dir.resolve("data")).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("server-key")).toList(), "no server key file: the key is in the token");
            cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
            // The client pins the server key for TLS as well: the handshake fails unless TLS used the token's key.
            RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
            RestClient.Session s = rest.login("alice", cluster.passphrase(PASS), cluster.pinned(),
                    RestApiTest.COMMANDS);
            List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
            assertEquals("alice", new String(who.get(0).copyBytes(), StandardCharsets.UTF_8));
            assertEquals(200, s.delete(), "the sealed close is answered with the server's");
        }
    }
}
