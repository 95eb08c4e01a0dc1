package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.TokenCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.testsupport.SoftHsmTokens;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.pkcs11.Pkcs11Token;

/**
 * Service accounts against real SoftHSM2 through SunPKCS11: the key is generated inside the service's token, the
 * CSR signed there, the certificate issued by the cluster CA and stored back; the service then logs in with the
 * token key named by a pkcs11: URI (PIN from a file, as a service would), with both proof kinds.
 */
@Tag("softhsm")
class ServiceLoginSoftHsmTest {
    private static final String PIN = "4321";
    private static final String KEY = "login-key";

    // SoftHSM2 sees only the tokens that exist when this JVM first loads it: create them all now.
    @RegisterExtension
    static final SoftHsmTokens HSM = SoftHsmTokens.of((hsm, tokens) -> {
        for (String label : List.of("svc-signature", "svc-key_agreement", "svc-pin", "svc-missing", "svc-other",
                "svc-shared")) {
            hsm.initToken(label, SoftHsmTokens.SO_PIN, PIN);
        }
    });
    @TempDir
    static Path pins;
    private static Path pinFile;
    private static Path wrongPinFile;

    @TempDir
    Path dir;
    private TestCluster cluster;

    @BeforeAll
    static void writePinFiles() throws Exception {
        pinFile = Files.writeString(pins.resolve("service.pin"), PIN + "\n");
        wrongPinFile = Files.writeString(pins.resolve("wrong.pin"), "9999\n");
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String tokenUri(String token, Path pin) {
        return "pkcs11:token=" + token + "?pin-source=file:" + pin;
    }

    private static String keyUri(String token, String key, Path pin) {
        return "pkcs11:token=" + token + ";object=" + key + ";type=private?pin-source=file:" + pin;
    }

    private OcaSession login(String user, LoginCredential credential) throws Exception {
        return OcaSession.login(cluster.address(), user, credential, cluster.pinned(), new OcaSession.Options());
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void serviceEnrolsWithAnOnTokenKeyAndLogsInWithIt(ProofKind kind) throws Exception {
        cluster = new TestCluster(dir, kind);
        String token = "svc-" + kind.name().toLowerCase(Locale.ROOT);
        String name = "backup-" + kind.name().toLowerCase(Locale.ROOT);
        List<X509Certificate> chain = cluster.service(name, Account.Role.USER, HSM.tokens(), tokenUri(token, pinFile), KEY);

        Account account = cluster.store.findAccount(name).orElseThrow();
        assertEquals(Account.Kind.SERVICE, account.kind());
        assertTrue(account.envelope().isEmpty(), "a service has no envelope");
        assertTrue(cluster.ca.verify(chain.get(0)));
        assertTrue(chain.get(0).getSubjectX500Principal().getName().contains("OU=service"));
        try (Pkcs11Token onToken = HSM.tokens().open(keyUri(token, KEY, pinFile))) {
            assertEquals(chain, onToken.certificateChain(), "the issued chain replaced the placeholder");
            assertArrayEquals(account.publicKey(), onToken.publicKey().getEncoded());
        }
        String objects = HSM.fixture().pkcs11Tool("--token-label", token, "--login", "--pin", PIN, "--list-objects",
                "--type", "privkey");
        assertTrue(objects.contains("sensitive") && objects.contains("never extractable"), objects);

        // Two logins in a row: each opens the token (reading the PIN file) and closes it after the proof.
        for (int round = 0; round < 2; round++) {
            List<String> used = new ArrayList<>();
            LoginCredential credential = recording(TokenCredential.pkcs11(HSM.tokens(), keyUri(token, KEY, pinFile)), used);
            try (OcaSession s = login(name, credential)) {
                // Protocol version 3 asks every account for key agreement (docs/PROTOCOL.md 5.3.7): a P-256 key on
                // the token agrees whichever proof the server prefers (the preference is for version 1-2 clients).
                assertEquals(List.of("agree"), used);
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
                List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
                assertEquals(name, StandardCharsets.UTF_8.decode(who.get(0).bytes()).toString());
                byte[] payload = new byte[10_000];
                new java.util.Random(round).nextBytes(payload);
                assertArrayEquals(payload,
                        s.exec(RispCommand.string(CoreCommands.ECHO.id(), payload)).get(0).copyBytes());
                assertEquals(1, cluster.sessions.size());
            }
        }
    }

    @Test
    void aWrongServicePinStopsTheLoginWithAClearErrorAndLeavesNothingOpen() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        cluster.service("pin-svc", Account.Role.USER, HSM.tokens(), tokenUri("svc-pin", pinFile), KEY);

        LoginException e = assertThrows(LoginException.class,
                () -> login("pin-svc", TokenCredential.pkcs11(HSM.tokens(), keyUri("svc-pin", KEY, wrongPinFile))));
        TokenException cause = assertInstanceOf(TokenException.class, e.getCause());
        assertEquals(TokenError.WRONG_PIN, cause.error());
        assertEquals(-1, e.code(), "a local failure: the server never saw a proof");
        assertTrue(e.getMessage().contains("WRONG_PIN") && e.getMessage().contains("svc-pin"), e.getMessage());
        assertFalse(e.getMessage().contains("9999"), "no PIN in messages");
        assertEquals(0, cluster.sessions.size());

        try (OcaSession s = login("pin-svc", TokenCredential.pkcs11(HSM.tokens(), keyUri("svc-pin", KEY, pinFile)))) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id(),
                    "the right PIN works afterwards (SoftHSM2 never locks)");
        }
    }

    @Test
    void aMissingServiceKeyOrTokenIsReportedByName() throws Exception {
        cluster = new TestCluster(dir, ProofKind.SIGNATURE);
        cluster.service("missing-svc", Account.Role.USER, HSM.tokens(), tokenUri("svc-missing", pinFile), KEY);

        LoginException noKey = assertThrows(LoginException.class, () -> login("missing-svc",
                TokenCredential.pkcs11(HSM.tokens(), keyUri("svc-missing", "no-such-key", pinFile))));
        assertEquals(TokenError.KEY_NOT_FOUND, ((TokenException) noKey.getCause()).error());
        assertTrue(noKey.getMessage().contains("no-such-key") && noKey.getMessage().contains(KEY),
                "names the missing key and lists the present ones: " + noKey.getMessage());

        // A missing token is found before connecting (issue 15): nothing reaches the server.
        org.opencluster.auth.client.TokenNotPresentException noToken = assertThrows(
                org.opencluster.auth.client.TokenNotPresentException.class, () -> login("missing-svc",
                TokenCredential.pkcs11(HSM.tokens(), keyUri("svc-gone", KEY, pinFile))));
        assertEquals(TokenError.TOKEN_ABSENT, noToken.tokenError().error());
        assertTrue(noToken.getMessage().contains("token not present"), noToken.getMessage());
        assertEquals(0, cluster.sessions.size());

        LoginException badUri = assertThrows(LoginException.class, () -> login("missing-svc",
                (u, env) -> TokenCredential.pkcs11(HSM.tokens(), "pkcs11:token=svc-missing?pin-value=" + PIN).unlock(u, env)));
        assertEquals(TokenError.INVALID_URI, ((TokenException) badUri.getCause()).error());
    }

    @Test
    void anotherTokensKeyIsRefusedByTheServer() throws Exception {
        cluster = new TestCluster(dir, ProofKind.SIGNATURE);
        cluster.service("svc-a", Account.Role.USER, HSM.tokens(), tokenUri("svc-other", pinFile), "key-a");
        cluster.service("svc-b", Account.Role.USER, HSM.tokens(), tokenUri("svc-other", pinFile), "key-b");

        LoginException e = assertThrows(LoginException.class,
                () -> login("svc-a", TokenCredential.pkcs11(HSM.tokens(), keyUri("svc-other", "key-b", pinFile))));
        assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code());
        assertEquals(0, cluster.sessions.size());
    }

    @Test
    void aSharedTokenCredentialServesConcurrentLogins() throws Exception {
        cluster = new TestCluster(dir, ProofKind.SIGNATURE);
        cluster.service("worker", Account.Role.USER, HSM.tokens(), tokenUri("svc-shared", pinFile), KEY);
        TokenCredential credential = TokenCredential.pkcs11Shared(HSM.tokens(), keyUri("svc-shared", KEY, pinFile));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<String>> whoami = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                whoami.add(pool.submit(() -> {
                    try (OcaSession s = login("worker", credential)) {
                        return StandardCharsets.UTF_8.decode(
                                s.exec(RispCommand.none(CoreCommands.WHOAMI.id())).get(0).bytes()).toString();
                    }
                }));
            }
            for (java.util.concurrent.Future<String> f : whoami) {
                assertEquals("worker", f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            credential.close();
        }
        LoginException afterClose = assertThrows(LoginException.class, () -> login("worker", credential));
        assertEquals(TokenError.TOKEN_CLOSED, ((TokenException) afterClose.getCause()).error());
    }

    /** Records which private-key operation the handshake asked of the token. */
    private static LoginCredential recording(LoginCredential inner, List<String> used) {
        return (user, envelope) -> {
            Token t = inner.unlock(user, envelope);
            return new Token() {
                public String label() { return t.label(); }
                public List<X509Certificate> certificateChain() { return t.certificateChain(); }
                public java.security.PublicKey publicKey() { return t.publicKey(); }
                public org.opencluster.auth.token.KeyType keyType() { return t.keyType(); }
                public java.util.Set<org.opencluster.auth.token.TokenOperation> operations() { return t.operations(); }
                public java.util.Set<org.opencluster.auth.token.SignatureScheme> signatureSchemes() {
                    return t.signatureSchemes();
                }
                public byte[] sign(org.opencluster.auth.token.SignatureScheme s, byte[] m) throws TokenException {
                    used.add("sign");
                    return t.sign(s, m);
                }
                public byte[] agree(java.security.PublicKey peer) throws TokenException {
                    used.add("agree");
                    return t.agree(peer);
                }
                public byte[] decrypt(org.opencluster.auth.token.EncryptionScheme s, byte[] c) throws TokenException {
                    used.add("decrypt");
                    return t.decrypt(s, c);
                }
                public void close() { t.close(); }
            };
        };
    }
}
