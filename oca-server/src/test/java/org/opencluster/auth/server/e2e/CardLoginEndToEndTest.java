package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.card.vpcd.InsertedCard;
import org.opencluster.auth.card.vpcd.VirtualCard;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCards;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivConnection;
import org.opencluster.auth.token.piv.PivSlot;
import org.opencluster.auth.token.piv.PivToken;

/**
 * A person whose key is on a PIV card logs in over TCP with the ordinary handshake. Everything card-side goes
 * through the real stack (jnasmartcardio -> pcscd -> vpcd -> jCardSim -> the project's applet), provisioning
 * included: key generated on the card, certified by the cluster CA, certificate written back with PUT DATA.
 * Uses vpcd's second reader (port 35964) so it never competes with card-applet's tests for the first.
 */
class CardLoginEndToEndTest {
    private static final int PORT = 35964;
    /** vpcd's first reader: the second card of a move from one card to another (card-applet's tests use it too). */
    private static final int OTHER_PORT = 35963;
    private static final String READER = InsertedCard.readerName(PORT);
    private static final char[] PIN = "123456".toCharArray();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestCluster cluster;
    private InsertedCard inserted;

    @BeforeEach
    void requireReader() {
        RealComponent.require(InsertedCard.reader(PORT).isPresent(), "pcscd running with the vpcd reader '" + READER
                + "' (apt-get install pcscd vsmartcard-vpcd; start pcscd before the JVM, see bin/test)");
    }

    @AfterEach
    void stop() throws Exception {
        if (inserted != null) {
            inserted.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PivCards cards(PinSource pins) {
        return PivCards.builder().reader(READER).pinSource(pins).build();
    }

    /** The slot a proof kind uses: 9A signs, 9D agrees. */
    private static PivSlot slotFor(ProofKind kind) {
        return kind == ProofKind.SIGNATURE ? PivSlot.AUTHENTICATION : PivSlot.KEY_MANAGEMENT;
    }

    /**
     * Enrols {@code name}: key generated on the card; for 9A a CSR signed by the card, for 9D (derive-only) the
     * CA certifies the generated public key; the certificate goes back onto the card; the account has no
     * envelope (the server sends a decoy, which the card holder's client ignores).
     */
    private X509Certificate enrol(String name, ProofKind kind) throws Exception {
        PivSlot slot = slotFor(kind);
        PivCards cards = cards(PinSource.of(PIN));
        X509Certificate cert;
        try (PivConnection admin = cards.connect()) {
            ECPublicKey key = admin.transact(c -> {
                c.authenticateManagementKey(PivClient.defaultManagementKey());
                return c.generateKey(slot, PivAlgorithm.EC_P256);
            });
            if (kind == ProofKind.SIGNATURE) {
                try (PivToken fresh = cards.open(slot, key)) {
                    PKCS10CertificationRequest csr = Enrolment.csr(fresh, new X500Name("CN=" + name),
                            SignatureScheme.ECDSA_P256_SHA256);
                    cert = cluster.ca.issue(name, ClusterCa.Subject.PERSON, csr, Duration.ofDays(30));
                }
            } else {
                cert = cluster.ca.issue(name, ClusterCa.Subject.PERSON, key, Duration.ofDays(30));
            }
            byte[] der = cert.getEncoded();
            admin.transact(c -> {
                c.authenticateManagementKey(PivClient.defaultManagementKey());
                c.putCertificate(slot, der);
                return null;
            });
        }
        cluster.store.createAccount(name, Account.Kind.PERSON, Account.Role.USER, cert.getPublicKey().getEncoded(),
                cert.getEncoded(), null);
        return cert;
    }

    /** The card holder's client: ignores the (decoy) envelope and opens the card slot with the PIN. */
    private static LoginCredential card(ProofKind kind, PinSource pins) {
        return (user, envelope) -> cards(pins).open(slotFor(kind));
    }

    private OcaSession login(String user, LoginCredential credential) throws Exception {
        return OcaSession.login(cluster.address(), user, credential, cluster.pinned(), new OcaSession.Options());
    }

    private void start(ProofKind kind) throws Exception {
        cluster = new TestCluster(dir, kind);
        inserted = InsertedCard.insert(VirtualCard.create(), PORT, WAIT);
    }

    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void cardHolderLogsInWithEitherProofKind(ProofKind kind) throws Exception {
        start(kind);
        X509Certificate cert = enrol("alice", kind);
        try (PivToken onCard = cards(PinSource.of(PIN)).open(slotFor(kind))) {
            assertEquals(List.of(cert), onCard.certificateChain(), "the issued certificate was written to the card");
            assertTrue(cluster.ca.verify(onCard.certificateChain().get(0)));
        }
        try (OcaSession s = login("alice", card(kind, PinSource.of(PIN)))) {
            List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
            assertEquals("alice", StandardCharsets.UTF_8.decode(who.get(0).bytes()).toString());
            assertEquals(1, cluster.sessions.size());
        }
    }

    /** EC and RSA keys alike: an RSA key proves with an RSA-PSS signature the server checks with its certificate. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ECCP256", "RSA2048"})
    void theCliEnrolsAKeyGeneratedOnTheCardAndLogsInWithIt(String algorithm) throws Exception {
        start(ProofKind.SIGNATURE);
        String code = adminIssuesCode("dora");
        String[] common = cardOptions("dora", "9A");
        cli(concat(new String[] {"enrol", "--code", code, "--card-key", algorithm}, common));
        try (PivToken onCard = cards(PinSource.of(PIN)).open(PivSlot.AUTHENTICATION)) {
            assertTrue(cluster.ca.verify(onCard.certificateChain().get(0)), "the issued certificate is on the card");
            assertEquals(algorithm.equals("RSA2048") ? PivAlgorithm.RSA_2048 : PivAlgorithm.EC_P256,
                    onCard.algorithm());
        }
        String out = cli(concat(new String[] {"exec", "WHOAMI"}, common));
        assertTrue(out.contains("WHOAMI_IS dora"), out);
    }

    /**
     * Slot 9D from the CLI on a server whose default proof is the signature: the derive-only key is generated on
     * the card, proves possession by key agreement (the card does the ECDH), is certified for key agreement only,
     * and its holder then logs in with the key-agreement proof, which the server asks because of that certificate.
     */
    @Test
    void theCliEnrolsADeriveOnly9dKeyByKeyAgreementAndLogsInWithIt() throws Exception {
        start(ProofKind.SIGNATURE);
        String code = adminIssuesCode("finn");
        String[] common = cardOptions("finn", "9D");
        cli(concat(new String[] {"enrol", "--code", code}, common));
        try (PivToken onCard = cards(PinSource.of(PIN)).open(PivSlot.KEY_MANAGEMENT)) {
            X509Certificate cert = onCard.certificateChain().get(0);
            assertTrue(cluster.ca.verify(cert), "the issued certificate is on the card");
            assertFalse(cert.getKeyUsage()[0], "not for signatures");
            assertTrue(cert.getKeyUsage()[4], "for key agreement");
        }
        String out = cli(concat(new String[] {"exec", "WHOAMI"}, common));
        assertTrue(out.contains("WHOAMI_IS finn"), out);
    }

    /** The CLI options of a card holder using this test's reader and PIN file. */
    private String[] cardOptions(String user, String slot) throws java.io.IOException {
        java.nio.file.Path pin = java.nio.file.Files.writeString(dir.resolve("pin"), "123456");
        return new String[] {"-s", "127.0.0.1:" + cluster.address().getPort(), "-u", user, "--card", READER,
            "--slot", slot, "--pin-source", "file:" + pin, "--known-servers", dir.resolve("known").toString(),
            "--accept-new"};
    }

    /** Runs {@code oca args}; fails unless it exits 0; returns what it printed. */
    private static String cli(String[] args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = org.opencluster.auth.client.cli.OcaCli.run(new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true), args);
        assertEquals(0, rc, err.toString());
        return out.toString();
    }

    /** An admin (a software key) issues a one-time code for a card holder named {@code name}. */
    private String adminIssuesCode(String name) throws Exception {
        cluster.person("root", "root pw".toCharArray(), Account.Role.ADMIN, org.opencluster.auth.token.KeyType.EC_P256);
        try (OcaSession root = OcaSession.login(cluster.address(), "root", cluster.passphrase("root pw".toCharArray()),
                cluster.pinned(), new OcaSession.Options())) {
            byte[] p = ("\0\0" + name).getBytes(StandardCharsets.UTF_8);
            List<RispCommand> r = root.exec(RispCommand.string(
                    org.opencluster.auth.protocol.command.EnrolCommands.ADMIN_ENROLMENT_CODE.id(), p));
            return StandardCharsets.US_ASCII.decode(r.get(0).bytes()).toString();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void wrongPinIsReportedWithTriesLeftAndTheServerSeesNoProof() throws Exception {
        start(ProofKind.SIGNATURE);
        enrol("bob", ProofKind.SIGNATURE);
        LoginException e = assertThrows(LoginException.class,
                () -> login("bob", card(ProofKind.SIGNATURE, PinSource.of("000000".toCharArray()))));
        TokenException cause = assertInstanceOf(TokenException.class, e.getCause());
        assertEquals(TokenError.WRONG_PIN, cause.error());
        assertEquals(2, cause.pinStatus().retriesLeft());
        assertTrue(e.getMessage().contains("2 attempts left"), e.getMessage());
        assertFalse(e.getMessage().contains("000000"));
        assertEquals(0, cluster.sessions.size());
        try (OcaSession s = login("bob", card(ProofKind.SIGNATURE, PinSource.of(PIN)))) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }

    @Test
    void pinBlockedAfterTheLimitThenUnblockedWithThePuk() throws Exception {
        start(ProofKind.KEY_AGREEMENT);
        enrol("carol", ProofKind.KEY_AGREEMENT);
        LoginCredential wrong = card(ProofKind.KEY_AGREEMENT, PinSource.of("000000".toCharArray()));
        for (int left = 2; left >= 1; left--) {
            LoginException e = assertThrows(LoginException.class, () -> login("carol", wrong));
            assertEquals(left, ((TokenException) e.getCause()).pinStatus().retriesLeft());
        }
        LoginException blocked = assertThrows(LoginException.class, () -> login("carol", wrong));
        assertEquals(TokenError.PIN_LOCKED, ((TokenException) blocked.getCause()).error());
        LoginException still = assertThrows(LoginException.class,
                () -> login("carol", card(ProofKind.KEY_AGREEMENT, PinSource.of(PIN))));
        assertEquals(TokenError.PIN_LOCKED, ((TokenException) still.getCause()).error(), "even the right PIN");
        try (PivConnection admin = cards(PinSource.of(PIN)).connect()) {
            admin.transact(c -> {
                c.unblockPin("12345678".toCharArray(), PIN);
                return null;
            });
        }
        try (OcaSession s = login("carol", card(ProofKind.KEY_AGREEMENT, PinSource.of(PIN)))) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }

    @Test
    void cardRemovedBeforeLoginIsAClearError() throws Exception {
        start(ProofKind.SIGNATURE);
        enrol("dave", ProofKind.SIGNATURE);
        // The client opened the card earlier (e.g. to show which certificate it will use), then it was pulled.
        PivToken openedEarlier = cards(PinSource.of(PIN)).open(PivSlot.AUTHENTICATION);
        inserted.close();
        inserted = null;
        LoginException removed = assertThrows(LoginException.class, () -> login("dave", (u, env) -> openedEarlier));
        assertEquals(TokenError.TOKEN_REMOVED, assertInstanceOf(TokenException.class, removed.getCause()).error());
        assertTrue(removed.getMessage().contains("removed"), removed.getMessage());
        // Opening at login time with no card in the reader.
        LoginException absent = assertThrows(LoginException.class,
                () -> login("dave", card(ProofKind.SIGNATURE, PinSource.of(PIN))));
        assertEquals(TokenError.TOKEN_ABSENT, assertInstanceOf(TokenException.class, absent.getCause()).error());
        assertTrue(absent.getMessage().contains("insert the card"), absent.getMessage());
        assertEquals(0, cluster.sessions.size());
    }

    /**
     * Defined behaviour of a card pulled during a session (docs/PROTOCOL.md section 5.13): commands that do not
     * need the card keep working until re-authentication is due; the re-authentication needs a fresh card
     * operation (the PIN is asked again), so with the card gone it fails with a clear "no card" error and the
     * session ends on both sides.
     */
    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void reauthenticationNeedsTheCardAgainAndARemovedCardEndsTheSession(ProofKind kind) throws Exception {
        start(kind);
        enrol("erin", kind);
        java.util.concurrent.atomic.AtomicInteger pinReads = new java.util.concurrent.atomic.AtomicInteger();
        PinSource counted = () -> {
            pinReads.incrementAndGet();
            return PIN.clone();
        };
        OcaSession s = login("erin", card(kind, counted));
        assertEquals(1, pinReads.get());
        cluster.elapse(cluster.config.reauthPolicy().interval());
        List<RispCommand> who = s.exec(RispCommand.none(CoreCommands.WHOAMI.id()));
        assertEquals("erin", StandardCharsets.UTF_8.decode(who.get(0).bytes()).toString());
        assertEquals(2, pinReads.get(), "the re-authentication was a fresh card operation");

        inserted.close();
        inserted = null;
        assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id(),
                "until the next due time the session does not need the card");
        cluster.elapse(cluster.config.reauthPolicy().interval());
        org.opencluster.auth.client.SessionEndedException ended = assertThrows(
                org.opencluster.auth.client.SessionEndedException.class,
                () -> s.exec(RispCommand.none(CoreCommands.WHOAMI.id())));
        TokenException cause = assertInstanceOf(TokenException.class, ended.getCause());
        assertTrue(cause.error() == TokenError.TOKEN_ABSENT || cause.error() == TokenError.TOKEN_REMOVED,
                cause.error().toString());
        assertTrue(ended.getMessage().contains("gone") && ended.getMessage().contains("log in again"),
                ended.getMessage());
        assertTrue(s.ended());
        Eventually.equals(0, cluster.sessions::size, 5000, "the client's close frame ended the server's session");
    }
    /**
     * Issue 14 item 5 on the real virtual card (pcscd + vpcd): a card holder moves to a new card. Logged in with
     * the old card, they pull it, insert a new card, generate the key on it and prove it over the rekey binding of
     * the live session (REKEY_SIGNED for a 9A key, REKEY_BY_AGREEMENT for a derive-only 9D key); the certificate
     * goes onto the new card. The new card logs in; the old card, put back, fails at once. Before key rotation
     * existed a lost or replaced card left the account usable only by disabling it for good.
     */
    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void aCardHolderMovesToANewCardAndTheOldCardFailsAtOnce(ProofKind kind) throws Exception {
        start(kind);
        enrol("fay", kind);
        VirtualCard oldCard = inserted.card();
        OcaSession s = login("fay", card(kind, PinSource.of(PIN)));
        inserted.close();
        inserted = InsertedCard.insert(VirtualCard.create(), PORT, WAIT);
        X509Certificate cert = moveToNewCard(kind, s, "fay");
        assertTrue(java.util.Arrays.equals(cluster.store.findAccount("fay").orElseThrow().publicKey(),
                cert.getPublicKey().getEncoded()), "the new card's key is the account's");
        EndedSessions.assertEndedBy(s, org.opencluster.auth.protocol.command.ErrorCode.NOT_AUTHENTICATED);
        try (OcaSession again = login("fay", card(kind, PinSource.of(PIN)))) {
            assertEquals("fay", StandardCharsets.UTF_8.decode(again.exec(RispCommand.none(CoreCommands.WHOAMI.id()))
                    .get(0).bytes()).toString());
        }
        inserted.close();
        inserted = InsertedCard.insert(oldCard, PORT, WAIT);
        assertThrows(org.opencluster.auth.client.login.LoginException.class,
                () -> login("fay", card(kind, PinSource.of(PIN))).close(), "the old card's key is dead");
    }

    /**
     * The new card's key, generated on the card in this test's reader, certified through {@code session} (opened
     * by the old card) as the account's replacement key, its certificate written back: the CLI's path.
     */
    private X509Certificate moveToNewCard(ProofKind kind, org.opencluster.auth.client.CommandChannel session,
            String user) throws Exception {
        return org.opencluster.auth.client.enrol.CardProvisioning.provision(cards(PinSource.of(PIN)), slotFor(kind),
                PivAlgorithm.EC_P256, PivClient.defaultManagementKey(),
                org.opencluster.auth.client.enrol.CardProvisioning.rotation(session, user));
    }

    /**
     * Card rotation over the REST API (issue 14 acceptance: key rotation over TCP and REST): the session the old
     * card opened over HTTPS certifies the new card's key; the REST session ends with the old key, the new card
     * logs in over REST, and the old card, put back, fails over REST and TCP.
     */
    @ParameterizedTest
    @EnumSource(value = ProofKind.class, names = {"SIGNATURE", "KEY_AGREEMENT"})
    void aCardHolderMovesToANewCardOverRestAndTheOldCardFailsAtOnce(ProofKind kind) throws Exception {
        cluster = TestCluster.in(dir).https().ecProofKind(kind).start();
        inserted = InsertedCard.insert(VirtualCard.create(), PORT, WAIT);
        enrol("gus", kind);
        VirtualCard oldCard = inserted.card();
        RestClient rest = cluster.rest();
        org.opencluster.auth.client.CommandChannel s = rest.login("gus", card(kind, PinSource.of(PIN)),
                cluster.pinned(), cluster.server.dispatcher().registry()).asChannel();
        inserted.close();
        inserted = InsertedCard.insert(VirtualCard.create(), PORT, WAIT);

        X509Certificate cert = moveToNewCard(kind, s, "gus");
        assertTrue(java.util.Arrays.equals(cluster.store.findAccount("gus").orElseThrow().publicKey(),
                cert.getPublicKey().getEncoded()), "the new card's key is the account's");
        Eventually.equals(0, () -> (int) cluster.sessions.list().stream()
                .filter(l -> l.username().equals("gus")).count(), 5_000, "the old card's REST session ended");
        org.opencluster.auth.client.CommandChannel again = rest.login("gus", card(kind, PinSource.of(PIN)),
                cluster.pinned(), cluster.server.dispatcher().registry()).asChannel();
        assertEquals("gus", StandardCharsets.UTF_8.decode(again.exec(RispCommand.none(CoreCommands.WHOAMI.id()))
                .get(0).bytes()).toString());

        inserted.close();
        inserted = InsertedCard.insert(oldCard, PORT, WAIT);
        assertThrows(LoginException.class, () -> rest.login("gus", card(kind, PinSource.of(PIN)), cluster.pinned(),
                cluster.server.dispatcher().registry()), "the old card's key is dead over REST");
        assertThrows(LoginException.class, () -> login("gus", card(kind, PinSource.of(PIN))).close(),
                "and over TCP");
    }

    /**
     * {@code oca rekey --new-card} (before: no way to replace a card from the CLI): logged in with the old card in
     * this test's reader, the CLI generates the new key on the card in vpcd's other reader and has it certified in
     * that session; then the new card logs in with {@code oca} and the old one is refused (exit 3).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9A", "9D"})
    void theCliMovesACardHolderToANewCardAndTheOldCardFailsAtOnce(String slot) throws Exception {
        RealComponent.require(InsertedCard.reader(OTHER_PORT).isPresent(), "pcscd with the vpcd reader '"
                + InsertedCard.readerName(OTHER_PORT) + "' as well (see bin/test)");
        ProofKind kind = slot.equals("9A") ? ProofKind.SIGNATURE : ProofKind.KEY_AGREEMENT;
        start(kind);
        enrol("gil", kind);
        try (InsertedCard newCard = InsertedCard.insert(VirtualCard.create(), OTHER_PORT, WAIT)) {
            String other = InsertedCard.readerName(OTHER_PORT);
            String out = cli(concat(new String[] {"rekey", "--new-card", other}, cardOptions("gil", slot)));
            assertTrue(out.contains("rekeyed gil to the new card's slot " + slot), out);
            try (PivToken onCard = PivCards.builder().reader(other).pinSource(PinSource.of(PIN)).build()
                    .open(slotFor(kind))) {
                assertTrue(java.util.Arrays.equals(cluster.store.findAccount("gil").orElseThrow().publicKey(),
                        onCard.certificateChain().get(0).getPublicKey().getEncoded()),
                        "the certificate on the new card is for the account's key");
            }
            String[] onNewCard = cardOptions("gil", slot);
            onNewCard[java.util.Arrays.asList(onNewCard).indexOf("--card") + 1] = other;
            assertTrue(cli(concat(new String[] {"exec", "WHOAMI"}, onNewCard)).contains("WHOAMI_IS gil"));
            java.io.StringWriter err = new java.io.StringWriter();
            int rc = org.opencluster.auth.client.cli.OcaCli.run(new java.io.PrintWriter(new java.io.StringWriter()),
                    new java.io.PrintWriter(err, true), concat(new String[] {"exec", "WHOAMI"},
                            cardOptions("gil", slot)));
            assertEquals(3, rc, "the old card's login fails: " + err);
        }
    }

    /**
     * A lost card: an admin resets its holder over REST (the old card fails at once), the code enrols a new card
     * with {@code oca enrol --card}, and an admin's delete then ends that card's logins too (exit 3). Reset and
     * delete were tested for passphrase persons only.
     */
    @Test
    void aCardHolderIsResetOverRestEnrolsANewCardAndIsThenDeleted() throws Exception {
        cluster = TestCluster.in(dir).https().ecProofKind(ProofKind.SIGNATURE).start();
        inserted = InsertedCard.insert(VirtualCard.create(), PORT, WAIT);
        enrol("hal", ProofKind.SIGNATURE);
        cluster.person("root", "root pw".toCharArray(), Account.Role.ADMIN, org.opencluster.auth.token.KeyType.EC_P256);
        org.opencluster.auth.client.CommandChannel admin = cluster.rest().login("root",
                cluster.passphrase("root pw".toCharArray()), cluster.pinned(), cluster.server.dispatcher().registry())
                .asChannel();
        List<RispCommand> reset = admin.exec(RispCommand.string(
                org.opencluster.auth.protocol.command.AccountLifecycleCommands.ADMIN_ACCOUNT_RESET.id(),
                "hal".getBytes(StandardCharsets.UTF_8)));
        assertEquals(org.opencluster.auth.protocol.command.EnrolCommands.ENROLMENT_CODE_IS.id(), reset.get(0).id(),
                reset::toString);
        String code = StandardCharsets.US_ASCII.decode(reset.get(0).bytes()).toString();
        assertThrows(LoginException.class, () -> login("hal", card(ProofKind.SIGNATURE, PinSource.of(PIN))).close(),
                "the old card fails at once");

        inserted.close();
        inserted = InsertedCard.insert(VirtualCard.create(), PORT, WAIT);
        String[] common = cardOptions("hal", "9A");
        cli(concat(new String[] {"enrol", "--code", code}, common));
        assertTrue(cli(concat(new String[] {"exec", "WHOAMI"}, common)).contains("WHOAMI_IS hal"));
        assertEquals(Account.Kind.PERSON, cluster.store.findAccount("hal").orElseThrow().kind());

        assertEquals(CoreCommands.OK.id(), admin.exec(RispCommand.string(
                org.opencluster.auth.protocol.command.AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(),
                "hal".getBytes(StandardCharsets.UTF_8))).get(0).id());
        int rc = org.opencluster.auth.client.cli.OcaCli.run(new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter()), concat(new String[] {"exec", "WHOAMI"}, common));
        assertEquals(3, rc, "a deleted card holder's card fails");
    }
}
