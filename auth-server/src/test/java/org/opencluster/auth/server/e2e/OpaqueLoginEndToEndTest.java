package org.opencluster.auth.server.e2e;

import org.opencluster.auth.server.store.Account;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.protocol.pake.KeyStretching;
import org.opencluster.auth.protocol.pake.OpaqueClient;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.OprfLogins;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Issue 14 items 3 and 4 end to end over TCP: the OPRF step of a passphrase login (credential version 2), the
 * harvester who has the passphrase but not the server's OPRF seed, the move of a version 1 person at their next
 * login, and {@code login.require-oprf}.
 */
class OpaqueLoginEndToEndTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @RegisterExtension
    final Clusters clusters = new Clusters();

    private static OcaSession login(TestCluster cluster, String user, org.opencluster.auth.client.login.LoginCredential
            credential) throws Exception {
        return OcaSession.login(cluster.address(), user, credential, cluster.pinned(), new OcaSession.Options());
    }

    private static String whoAmI(OcaSession s) throws Exception {
        List<RispCommand> who = s.exec(RispCommand.none(
                org.opencluster.auth.protocol.command.CoreCommands.WHOAMI.id()));
        return new String(who.get(0).copyBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Item 4: a version 1 person logs in as before, is re-registered in the same session, and from then on logs in
     * through the OPRF step; the version 1 envelope and the Argon2id-only client stop working at once. The old code
     * had no OPRF step: the envelope stayed sealed under Argon2id(passphrase) forever.
     */
    @Test
    void aVersionOnePersonMovesToVersionTwoAtTheNextLoginAndTheOldWayStopsWorking() throws Exception {
        TestCluster cluster = clusters.in().start();
        cluster.person("dora", PASS, Account.Role.ADMIN, KeyType.EC_P256);
        byte[] versionOne = cluster.store.findAccount("dora").orElseThrow().envelope().orElseThrow();
        assertEquals(1, cluster.store.findAccount("dora").orElseThrow().credentialVersion());

        try (PassphraseCredential c = cluster.opaquePassphrase(PASS); OcaSession s = login(cluster, "dora", c)) {
            assertEquals(1, c.openedVersion(), "the first login opened the version 1 envelope");
            assertEquals("dora", whoAmI(s));
        }
        assertEquals(2, cluster.store.findAccount("dora").orElseThrow().credentialVersion(), "re-registered");
        byte[] versionTwo = cluster.store.findAccount("dora").orElseThrow().envelope().orElseThrow();
        assertFalse(Arrays.equals(versionOne, versionTwo), "the envelope was replaced");

        try (PassphraseCredential c = cluster.opaquePassphrase(PASS); OcaSession s = login(cluster, "dora", c)) {
            assertEquals(2, c.openedVersion(), "the next login opens the credential under the export key");
            assertEquals("dora", whoAmI(s));
            List<RispCommand> list = s.exec(RispCommand.none(
                    org.opencluster.auth.protocol.command.AdminCommands.ACCOUNTS_LIST.id()));
            assertEquals(org.opencluster.auth.protocol.command.OpaqueCommands.ACCOUNT_CREDENTIAL_VERSION.id(),
                    list.get(4).id());
            assertEquals(2L, list.get(4).number(), "the admin listing says dora is on version 2");
        }
        LoginException old = assertThrows(LoginException.class, () -> login(cluster, "dora",
                cluster.versionOnePassphrase(PASS)).close());
        assertTrue(old.getCause() instanceof TokenException, old::toString);
        assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) old.getCause()).error());

        try (PassphraseCredential wrong = cluster.opaquePassphrase("not her passphrase".toCharArray())) {
            LoginException e = assertThrows(LoginException.class, () -> login(cluster, "dora", wrong).close());
            assertTrue(e.getCause() instanceof TokenException, e::toString);
        }
    }

    /**
     * A version 2 person changes their passphrase (REKEY_SIGNED, issue 14 item 5): the change carries a new OPAQUE
     * registration made in the same session and the new key sealed under its export key, stored in one statement,
     * so the account stays at version 2 and the old passphrase fails at once. The old code stored a version 1
     * envelope and cleared the record: until the owner's next login the new envelope was an offline oracle again.
     */
    @Test
    void aVersionTwoPersonChangesThePassphraseTheOldFailsAndTheNewIsVersionTwoAtOnce() throws Exception {
        TestCluster cluster = clusters.in().start();
        cluster.personV2("jo", PASS, Account.Role.USER, KeyType.EC_P256);
        byte[] oldRecord = cluster.store.findAccount("jo").orElseThrow().opaqueRecord().orElseThrow();
        char[] newPass = "a new and longer passphrase for jo".toCharArray();
        try (PassphraseCredential c = cluster.opaquePassphrase(PASS); OcaSession s = login(cluster, "jo", c)) {
            assertEquals(2, c.openedVersion());
            org.opencluster.auth.client.enrol.KeyRotation.newPassphrase(s, "jo", newPass, KeyType.EC_P256,
                    cluster.envelopes(), new SecureRandom());
        }
        var changed = cluster.store.findAccount("jo").orElseThrow();
        assertEquals(2, changed.credentialVersion(), "the change itself registered the new passphrase");
        assertFalse(Arrays.equals(oldRecord, changed.opaqueRecord().orElseThrow()), "a new registration record");
        TokenException argon = assertThrows(TokenException.class, () -> cluster.envelopes().open("jo",
                newPass.clone(), changed.envelope().orElseThrow(), "jo"));
        assertEquals(TokenError.WRONG_PASSPHRASE, argon.error(), "the new envelope is no Argon2id oracle");
        try (PassphraseCredential old = cluster.opaquePassphrase(PASS)) {
            LoginException e = assertThrows(LoginException.class, () -> login(cluster, "jo", old).close());
            assertTrue(e.getCause() instanceof TokenException, e::toString);
        }
        try (PassphraseCredential c = cluster.opaquePassphrase(newPass); OcaSession s = login(cluster, "jo", c)) {
            assertEquals(2, c.openedVersion(), "the new passphrase opens under the export key");
            assertEquals("jo", whoAmI(s));
        }
    }

    /**
     * The harvester of issue 14 against a version 2 account: everything an anonymous client obtains (the ENVELOPE
     * of LOGIN_CHALLENGE, an OPRF answer to its own element) plus the correct passphrase, but not the server's OPRF
     * seed, does not open the credential: neither Argon2id(passphrase) (the old offline oracle, which opened a
     * version 1 envelope in 33 s for a dictionary word) nor OPAQUE under any other seed. Each online attempt counts
     * as one failure: with an account limit of 2, the third attempt is refused.
     */
    @Test
    void aHarvesterWithThePassphraseButNotTheOprfSeedCannotOpenAVersionTwoCredential() throws Exception {
        TestCluster cluster = clusters.in().throttle(LoginThrottle.builder().maxAccountFailures(2)
                .maxSourceFailures(1000).decay(Duration.ofMinutes(10)).lockout(Duration.ofMinutes(10)).build())
                .start();
        cluster.personV2("erin", PASS, Account.Role.USER, KeyType.EC_P256);
        InetAddress harvester = InetAddress.getByName("127.0.9.14");
        byte[] harvested;
        try (ChallengedLogin login = ChallengedLogin.tcp(cluster.address(), harvester, "erin", cluster.pinned())) {
            harvested = login.envelope();
            login.sendBadFrame();
            assertTrue(login.serverClosesWithin(5_000));
        }
        Eventually.nothingOpen(cluster);

        TokenException argon = assertThrows(TokenException.class,
                () -> cluster.envelopes().open("erin", PASS.clone(), harvested, "erin"));
        assertEquals(TokenError.WRONG_PASSPHRASE, argon.error());

        SecureRandom random = new SecureRandom();
        OprfLogins guessedSeed = OprfLogins.ephemeral(random);
        byte[] password = new String(PASS).getBytes(StandardCharsets.UTF_8);
        PendingRequest<RegistrationRequest> request = OpaqueClient.createRegistrationRequest(password, random);
        FinalizedRegistration guessed = OpaqueClient.finalizeRegistrationRequest(password, request.blind(),
                guessedSeed.register(request.request(), "erin"), null, "erin".getBytes(StandardCharsets.UTF_8),
                KeyStretching.argon2id(TestCluster.TEST_KDF.memoryKiB(), TestCluster.TEST_KDF.iterations(),
                        TestCluster.TEST_KDF.parallelism()), random);
        TokenException opaque = assertThrows(TokenException.class, () -> cluster.envelopes()
                .openUnderExportKey("erin", guessed.exportKey(), harvested, "erin"));
        assertEquals(TokenError.WRONG_PASSPHRASE, opaque.error());

        try (ChallengedLogin second = ChallengedLogin.tcp(cluster.address(), harvester, "erin", cluster.pinned())) {
            second.sendBadFrame();
            assertTrue(second.serverClosesWithin(5_000));
        }
        Eventually.nothingOpen(cluster);
        LoginException locked = assertThrows(LoginException.class,
                () -> ChallengedLogin.tcp(cluster.address(), harvester, "erin", cluster.pinned()).close());
        assertEquals(ErrorCode.RATE_LIMITED.code(), locked.code(), locked::getMessage);
    }

    /**
     * Over REST (the same handshake engine in HTTP bodies): a version 2 person logs in through the OPRF step, and a
     * client that only knows Argon2id(passphrase), as every client did before, cannot open the credential.
     */
    @Test
    void aVersionTwoPersonLogsInOverRestAndTheArgon2OnlyClientCannot() throws Exception {
        TestCluster cluster = clusters.in().https().start();
        cluster.personV2("hana", PASS, Account.Role.USER, KeyType.EC_P256);
        RestClient rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
        org.opencluster.auth.protocol.risp.CommandRegistry commands = org.opencluster.auth.protocol.risp
                .CommandRegistry.builder().include(org.opencluster.auth.protocol.command.CoreCommands.registry())
                .build();
        try (PassphraseCredential c = cluster.opaquePassphrase(PASS)) {
            RestClient.Session s = rest.login("hana", c, cluster.pinned(), commands);
            assertEquals(2, c.openedVersion());
            List<RispCommand> who = s.exec(RispCommand.none(
                    org.opencluster.auth.protocol.command.CoreCommands.WHOAMI.id()));
            assertEquals("hana", new String(who.get(0).copyBytes(), StandardCharsets.UTF_8));
        }
        LoginException old = assertThrows(LoginException.class,
                () -> rest.login("hana", cluster.versionOnePassphrase(PASS), cluster.pinned(), commands));
        assertTrue(old.getCause() instanceof TokenException, old::toString);
        assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) old.getCause()).error());
    }

    /**
     * {@code login.require-oprf=true}: a version 1 person is served as an unknown name (a decoy envelope and a fake
     * record), so the login fails like a wrong passphrase and no re-registration can happen. The old code had no such setting: a version 1 envelope was handed out as long as it existed.
     */
    @Test
    void requireOprfRefusesVersionOneLogins() throws Exception {
        TestCluster cluster = clusters.in().config(c -> c.requireOprf(true)).start();
        cluster.person("finn", PASS, Account.Role.USER, KeyType.EC_P256);
        try (PassphraseCredential c = cluster.opaquePassphrase(PASS)) {
            LoginException e = assertThrows(LoginException.class, () -> login(cluster, "finn", c).close());
            assertTrue(e.getCause() instanceof TokenException, e::toString);
            assertEquals(TokenError.WRONG_PASSPHRASE, ((TokenException) e.getCause()).error());
        }
        assertEquals(1, cluster.store.findAccount("finn").orElseThrow().credentialVersion(), "not re-registered");
    }

    /**
     * {@code login.require-oprf=true} refuses a client before the OPRF step (no extension 0x0001) at LOGIN_REQUEST
     * with UNSUPPORTED_VERSION, whatever the name, over TCP and REST; without the setting the same client logs in
     * with its version 1 envelope. The old code had no OPRF step and no such refusal.
     */
    @Test
    void requireOprfRefusesAClientBeforeTheStepOverTcpAndRest() throws Exception {
        TestCluster strict = clusters.in().https().config(c -> c.requireOprf(true)).start();
        strict.person("ivan", PASS, Account.Role.USER, KeyType.EC_P256);
        RestClient rest = new RestClient(strict.server.httpsAddress().orElseThrow(), strict.serverCert);
        for (String name : List.of("ivan", "nobody-at-all")) {
            LoginException tcp = assertThrows(LoginException.class,
                    () -> tcpLogin(strict, oldClient(strict, name)));
            assertEquals(org.opencluster.auth.protocol.handshake.HandshakeError.UNSUPPORTED_VERSION.code(), tcp.code(),
                    tcp::getMessage);
            LoginException http = assertThrows(LoginException.class, () -> rest.new Session(
                    oldClient(strict, name)).login());
            assertEquals(org.opencluster.auth.protocol.handshake.HandshakeError.UNSUPPORTED_VERSION.code(),
                    http.code(), http::getMessage);
        }
        TestCluster lenient = clusters.in().start();
        lenient.person("ivan", PASS, Account.Role.USER, KeyType.EC_P256);
        assertEquals(org.opencluster.auth.client.login.ClientHandshake.State.ESTABLISHED,
                tcpLogin(lenient, oldClient(lenient, "ivan")));
    }

    private static org.opencluster.auth.client.login.ClientHandshake oldClient(TestCluster cluster, String name) {
        return new org.opencluster.auth.client.login.ClientHandshake(name, cluster.versionOnePassphrase(PASS), cluster.pinned(),
                java.util.Set.of(0x0101), org.opencluster.auth.protocol.suite.SuiteRegistry.standard(),
                org.opencluster.auth.protocol.risp.CommandRegistry.builder()
                        .include(org.opencluster.auth.protocol.command.CoreCommands.registry()).build(), random())
                .withoutOprfStep();
    }

    private static SecureRandom random() {
        return new SecureRandom();
    }

    /** Runs {@code hs} over TCP to ESTABLISHED (returned) or a refusal (thrown), as OcaSession does. */
    private static org.opencluster.auth.client.login.ClientHandshake.State tcpLogin(TestCluster cluster,
            org.opencluster.auth.client.login.ClientHandshake hs) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.setSoTimeout(10_000);
            s.connect(cluster.address(), 10_000);
            s.getOutputStream().write(bytes(hs.start()));
            org.opencluster.auth.protocol.risp.RispDecoder decoder =
                    org.opencluster.auth.protocol.risp.RispDecoder.framingOnly();
            byte[] buf = new byte[16384];
            while (true) {
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    throw new LoginException(-1, "the server closed the connection");
                }
                for (RispCommand c : decoder.feed(Arrays.copyOf(buf, n))) {
                    org.opencluster.auth.client.login.ClientHandshake.State state = hs.onCommand(c);
                    s.getOutputStream().write(bytes(hs.takeOutput()));
                    if (state == org.opencluster.auth.client.login.ClientHandshake.State.FAILED) {
                        throw hs.failure();
                    }
                    if (state == org.opencluster.auth.client.login.ClientHandshake.State.ESTABLISHED) {
                        return state;
                    }
                }
            }
        }
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
