package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.TokenCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.server.boot.HealingToken;
import org.opencluster.auth.server.testsupport.SoftHsmTokens;

/**
 * The server's own keys in SoftHSM2: server.key (made by an operator with {@code softhsm-token keygen-cert}) and
 * ca.key (generated through SunPKCS11) are pkcs11: URIs; bootstrap generates no key file and certifies the
 * token's public key; a person and a service log in against that server.
 */
@Tag("softhsm")
class ServerKeySoftHsmTest {
    // The same values as OCA_TEST_SERVER_PIN / OCA_TEST_CA_PIN in the pom (the server reads them with env:).
    private static final String SERVER_PIN = "8765";
    private static final String CA_PIN = "5678";
    private static final String SERVICE_PIN = "2468";
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final String SERVER_KEY =
            "pkcs11:token=oca-server;object=server-key;type=private?pin-source=env:OCA_TEST_SERVER_PIN";
    private static final String CA_KEY =
            "pkcs11:token=oca-ca;object=ca-key;type=private?pin-source=env:OCA_TEST_CA_PIN";

    @RegisterExtension
    static final SoftHsmTokens HSM = SoftHsmTokens.withPkcs11Tool((hsm, tokens) -> {
        hsm.initToken("oca-server", SoftHsmTokens.SO_PIN, SERVER_PIN);
        hsm.initToken("oca-ca", SoftHsmTokens.SO_PIN, CA_PIN);
        hsm.initToken("oca-svc", SoftHsmTokens.SO_PIN, SERVICE_PIN);
        hsm.initToken("oca-both", SoftHsmTokens.SO_PIN, SERVER_PIN);
        hsm.keygenWithCertificate("oca-both", SERVER_PIN, "server-key", "EC:prime256v1", "01");
        hsm.keygenWithCertificate("oca-both", SERVER_PIN, "ca-key", "EC:prime256v1", "02");
        // The operator's way: a script step, no Java.
        assertEquals("pkcs11:token=oca-server;object=server-key;type=private",
                hsm.keygenWithCertificate("oca-server", SERVER_PIN, "server-key", "EC:prime256v1", "01"));
        try (Pkcs11Connection ca = tokens.connect("pkcs11:token=oca-ca?pin-source=env:OCA_TEST_CA_PIN")) {
            ca.generateKeyPair(KeyType.EC_P256, "ca-key");
        }
    });
    @TempDir
    static Path pins;
    private static Path servicePin;

    @TempDir
    Path dir;
    private TestCluster cluster;

    @BeforeAll
    static void writeServicePin() throws Exception {
        servicePin = Files.writeString(pins.resolve("svc.pin"), SERVICE_PIN);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private ServerConfig config(String serverKey, String caKey) {
        ServerConfig.Builder b = ServerConfig.builder().dataDir(dir.resolve("data")).serverKey(serverKey);
        return (caKey == null ? b : b.caKey(caKey)).build();
    }

    private static List<String> keyFiles(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            // The TLS CA's key (HTTPS certificate only) stays a file here: tls-ca.key is not set to a token key.
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pk8"))
                    .filter(n -> !n.equals("tls-ca-key.pk8")).sorted().toList();
        }
    }

    private void assertLoggedIn(OcaSession s, String name) throws Exception {
        assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        assertEquals(name, StandardCharsets.UTF_8.decode(
                s.exec(RispCommand.none(CoreCommands.WHOAMI.id())).get(0).bytes()).toString());
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void serverAndCaKeysInTokensServeAPersonAndAService(ProofKind kind) throws Exception {
        cluster = new TestCluster(config(SERVER_KEY, CA_KEY), kind, LoginThrottle.builder().build(), HSM.tokens());
        Path data = cluster.config.dataDir();
        assertEquals(List.of(), keyFiles(data), "bootstrap generates no key file for token keys");

        // Token keys are held so that they heal when their token goes away for a while (ServerTokenOutageSoftHsmTest).
        HealingToken serverKey = assertInstanceOf(HealingToken.class, cluster.serverKey);
        HealingToken caKey = assertInstanceOf(HealingToken.class, cluster.caKey);
        assertEquals(List.of("server oca-server/server-key UP", "cluster-ca oca-ca/ca-key UP"),
                cluster.server.tokenHealth().stream().map(h -> h.role() + " " + h.token() + " " + h.state()).toList());
        X509Certificate caCert = cluster.ca.certificate();
        assertArrayEquals(serverKey.publicKey().getEncoded(), cluster.serverCert.getPublicKey().getEncoded(),
                "the server certificate certifies the token's key");
        assertArrayEquals(caKey.publicKey().getEncoded(), caCert.getPublicKey().getEncoded());
        cluster.serverCert.verify(caCert.getPublicKey());
        caCert.verify(caCert.getPublicKey());
        assertTrue(cluster.serverCert.getSubjectX500Principal().getName().contains("OU=server"));

        String suffix = kind.name().toLowerCase(Locale.ROOT);
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        List<X509Certificate> chain = cluster.service("svc-" + suffix, Account.Role.USER, HSM.tokens(),
                "pkcs11:token=oca-svc?pin-source=file:" + servicePin, "key-" + suffix);
        chain.get(0).verify(caKey.publicKey());

        try (OcaSession person = OcaSession.login(cluster.address(), "alice", cluster.passphrase(PASS),
                cluster.pinned(), new OcaSession.Options())) {
            assertLoggedIn(person, "alice");
            LoginCredential service = TokenCredential.pkcs11(HSM.tokens(),
                    "pkcs11:token=oca-svc;object=key-" + suffix + "?pin-source=file:" + servicePin);
            try (OcaSession svc = OcaSession.login(cluster.address(), "svc-" + suffix, service, cluster.pinned(),
                    new OcaSession.Options())) {
                assertLoggedIn(svc, "svc-" + suffix);
                assertLoggedIn(person, "alice");
                assertEquals(2, cluster.sessions.size());
            }
        }
    }

    @Test
    void serverAndCaKeysMayShareOneTokenWhileTheServerHoldsBoth() throws Exception {
        String both = "pkcs11:token=oca-both;object=%s;type=private?pin-source=env:OCA_TEST_SERVER_PIN";
        cluster = new TestCluster(config(String.format(both, "server-key"), String.format(both, "ca-key")),
                ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(), HSM.tokens());
        assertEquals(List.of(), keyFiles(cluster.config.dataDir()));
        assertArrayEquals(cluster.serverKey.publicKey().getEncoded(), cluster.serverCert.getPublicKey().getEncoded());
        cluster.person("carol", PASS, Account.Role.USER, KeyType.EC_P256); // the CA signs after bootstrap
        try (OcaSession s = OcaSession.login(cluster.address(), "carol", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            assertLoggedIn(s, "carol");
        }
    }

    @Test
    void aRestartKeepsTheCertificateAndARemovedTokenKeyIsRefusedAtInit() throws Exception {
        cluster = new TestCluster(config(SERVER_KEY, null), ProofKind.SIGNATURE, LoginThrottle.builder().build(),
                HSM.tokens());
        assertEquals(List.of("ca-key.pk8"), keyFiles(cluster.config.dataDir()), "only the CA key is a file here");
        X509Certificate first = cluster.serverCert;
        cluster.person("bob", PASS, Account.Role.USER, KeyType.EC_P256);
        cluster.close();
        cluster = null;

        cluster = new TestCluster(config(SERVER_KEY, null), ProofKind.SIGNATURE, LoginThrottle.builder().build(),
                HSM.tokens());
        assertEquals(first, cluster.serverCert, "a restart reuses the certificate of the token key");
        try (OcaSession s = OcaSession.login(cluster.address(), "bob", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            assertLoggedIn(s, "bob");
        }
        cluster.close();
        cluster = null;

        // server.key now names another token's key: the stored certificate no longer matches; say so at init.
        String other = SERVER_KEY.replace("token=oca-server;", "token=oca-both;");
        IOException e = assertThrows(IOException.class, () -> new TestCluster(config(other, null),
                ProofKind.SIGNATURE, LoginThrottle.builder().build(), HSM.tokens()));
        assertTrue(e.getMessage().contains("certifies another key") && e.getMessage().contains("oca-both"),
                e.getMessage());
        assertFalse(e.getMessage().contains(SERVER_PIN));
        assertTrue(Files.exists(Bootstrap.serverCertificateFile(config(other, null))), "nothing is deleted");
    }
}
