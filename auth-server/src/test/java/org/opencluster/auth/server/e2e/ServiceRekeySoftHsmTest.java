package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.KeyRotation;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.TokenCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.token.pkcs11.Pkcs11Token;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 14 item 5 against real SoftHSM2: a service moves to a new token. The new key is generated inside the new
 * token, proves possession over the rekey binding of the session the old token's key opened, and its certificate
 * is written back beside it; the old token's key fails at once. Before, a service whose token had to be replaced
 * could only be disabled and enrolled under a new name.
 */
@Tag("softhsm")
class ServiceRekeySoftHsmTest {
    private static final String SO_PIN = "12345678";
    private static final String PIN = "4321";
    private static final String KEY = "login-key";
    private static final RispCommand PING = RispCommand.none(CoreCommands.PING.id());

    private static SoftHsmFixture hsm;
    private static Pkcs11Tokens tokens;
    @TempDir
    static Path pins;
    private static Path pinFile;

    @RegisterExtension
    final Clusters clusters = new Clusters();

    @BeforeAll
    static void setUp() throws Exception {
        RealComponent.require(SoftHsmFixture.softHsmInstalled(), "SoftHSM2 (apt-get install softhsm2)");
        hsm = SoftHsmFixture.forTestClass(ServiceRekeySoftHsmTest.class);
        // SoftHSM2 sees only the tokens that exist when this JVM first loads it: create them all now.
        for (AccountLifecycleTest.Transport t : AccountLifecycleTest.Transport.values()) {
            hsm.initToken(oldToken(t), SO_PIN, PIN);
            hsm.initToken(newToken(t), SO_PIN, PIN);
        }
        tokens = Pkcs11Tokens.builder().defaultModule(hsm.module()).build();
        pinFile = Files.writeString(pins.resolve("service.pin"), PIN + "\n");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (hsm != null) {
            hsm.close();
        }
    }

    private static String oldToken(AccountLifecycleTest.Transport t) {
        return "old-" + t.name().toLowerCase(Locale.ROOT);
    }

    private static String newToken(AccountLifecycleTest.Transport t) {
        return "new-" + t.name().toLowerCase(Locale.ROOT);
    }

    private static String tokenUri(String token) {
        return "pkcs11:token=" + token + "?pin-source=file:" + pinFile;
    }

    private static LoginCredential keyOn(String token) throws Exception {
        return TokenCredential.pkcs11(tokens, "pkcs11:token=" + token + ";object=" + KEY + ";type=private"
                + "?pin-source=file:" + pinFile);
    }

    @ParameterizedTest
    @EnumSource(AccountLifecycleTest.Transport.class)
    void oldKeyFailsRightAfterRotation(AccountLifecycleTest.Transport t) throws Exception {
        TestCluster cluster = clusters.in().https().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        String name = "backup-" + t.name().toLowerCase(Locale.ROOT);
        cluster.service(name, Account.Role.USER, tokens, tokenUri(oldToken(t)), KEY);
        OcaSession bystander = clusters.closing(OcaSession.login(cluster.address(), name, keyOn(oldToken(t)),
                cluster.pinned(), new OcaSession.Options()));

        CommandChannel s = t == AccountLifecycleTest.Transport.TCP
                ? clusters.closing(OcaSession.login(cluster.address(), name, keyOn(oldToken(t)), cluster.pinned(),
                        new OcaSession.Options()))
                : rest(cluster, name, keyOn(oldToken(t)));
        X509Certificate cert;
        try (Pkcs11Connection token = tokens.connect(tokenUri(newToken(t)))) {
            Token key = token.generateKeyPair(KeyType.EC_P256, KEY);
            cert = KeyRotation.toToken(s, name, key);
            token.storeCertificateChain(KEY, List.of(cert));
        }

        Account account = cluster.store.findAccount(name).orElseThrow();
        assertEquals(Account.Kind.SERVICE, account.kind(), "the name, kind and role stay");
        assertTrue(account.envelope().isEmpty());
        assertTrue(cert.getSubjectX500Principal().getName().contains("OU=service"));
        try (Pkcs11Token onToken = tokens.open("pkcs11:token=" + newToken(t) + ";object=" + KEY + ";type=private"
                + "?pin-source=file:" + pinFile)) {
            assertArrayEquals(account.publicKey(), onToken.publicKey().getEncoded());
            assertEquals(cert, onToken.certificateChain().get(0));
        }
        assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), name, keyOn(oldToken(t)),
                cluster.pinned(), new OcaSession.Options()).close(), "the old token's key is refused");
        try (OcaSession again = OcaSession.login(cluster.address(), name, keyOn(newToken(t)), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), again.exec(PING).get(0).id());
        }
        EndedSessions.assertEndedBy(bystander, ErrorCode.NOT_AUTHENTICATED); // the old key's session
    }

    private static CommandChannel rest(TestCluster cluster, String name, LoginCredential credential)
            throws Exception {
        return new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert)
                .login(name, credential, cluster.pinned(), cluster.server.dispatcher().registry()).asChannel();
    }
}
