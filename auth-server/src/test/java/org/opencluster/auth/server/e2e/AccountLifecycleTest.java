package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.enrol.KeyRotation;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.session.LiveSession;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 14 item 5: passphrase change, software-key rotation, admin reset and admin delete, end to end over both
 * transports (RISP/TCP and the REST API's frames), and what each leaves dead: the old passphrase, the old key, a
 * copy of the old envelope, the account's live sessions. Before these commands none of this existed: the only
 * remedy was disabling the account for good.
 */
class AccountLifecycleTest {
    private static final char[] ROOT_PASS = "root admin passphrase".toCharArray();
    private static final char[] ALICE_PASS = "alice old passphrase".toCharArray();
    private static final char[] NEW_PASS = "alice brand new passphrase".toCharArray();
    private static final RispCommand PING = RispCommand.none(CoreCommands.PING.id());

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private RestClient rest;
    private final SecureRandom random = new SecureRandom();

    /** Which transport carries the command under test. */
    enum Transport { TCP, REST }

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.in().https().start();
        cluster.person("root", ROOT_PASS, Account.Role.ADMIN, KeyType.EC_P256);
        cluster.person("alice", ALICE_PASS, Account.Role.USER, KeyType.EC_P256);
        rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
    }

    private OcaSession tcp(String user, char[] passphrase) throws Exception {
        return clusters.closing(OcaSession.login(cluster.address(), user, cluster.passphrase(passphrase),
                cluster.pinned(), new OcaSession.Options()));
    }

    /** A logged-in session over {@code t}, as the commands see it. */
    private CommandChannel session(Transport t, String user, char[] passphrase) throws Exception {
        if (t == Transport.TCP) {
            return tcp(user, passphrase);
        }
        return rest.login(user, cluster.passphrase(passphrase), cluster.pinned(),
                cluster.server.dispatcher().registry()).asChannel();
    }

    private long sessionsOf(String user) {
        return cluster.sessions.list().stream().map(LiveSession::username).filter(user::equals).count();
    }

    private static void assertEnded(OcaSession s) throws Exception {
        EndedSessions.assertEndedBy(s, ErrorCode.NOT_AUTHENTICATED);
    }

    /** The login fails as a wrong passphrase or unknown name does. */
    private void assertLoginFails(String user, LoginCredential credential) {
        assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), user, credential,
                cluster.pinned(), new OcaSession.Options()).close());
    }

    /** Logs in with the software key {@code pkcs8} that the client keeps (no envelope from the server). */
    private void assertLogsInWithKey(String user, byte[] pkcs8) throws Exception {
        try (OcaSession again = OcaSession.login(cluster.address(), user,
                (u, served) -> SoftwareToken.fromPkcs8(u, pkcs8.clone(), List.of()), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), again.exec(PING).get(0).id());
        }
    }

    private void assertLogsIn(String user, char[] passphrase) throws Exception {
        try (OcaSession s = OcaSession.login(cluster.address(), user, cluster.passphrase(passphrase),
                cluster.pinned(), new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(PING).get(0).id());
        }
    }

    /**
     * The old code had no way to change a passphrase: a leaked one stayed good for ever. Now the change is one
     * command, and the old passphrase, the old key and a harvested copy of the old envelope all fail at once.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void oldPassphraseFailsRightAfterChange(Transport t) throws Exception {
        byte[] oldEnvelope = cluster.store.findAccount("alice").orElseThrow().envelope().orElseThrow();
        byte[] oldKey = cluster.store.findAccount("alice").orElseThrow().publicKey();
        OcaSession bystander = tcp("alice", ALICE_PASS);

        CommandChannel s = session(t, "alice", ALICE_PASS);
        X509Certificate cert = KeyRotation.newPassphrase(s, "alice", NEW_PASS, KeyType.EC_P256,
                cluster.envelopes(), random);

        byte[] newKey = cluster.store.findAccount("alice").orElseThrow().publicKey();
        assertNotEquals(java.util.HexFormat.of().formatHex(oldKey), java.util.HexFormat.of().formatHex(newKey),
                "a new key pair, not the old key under a new passphrase");
        assertArrayEquals(newKey, cert.getPublicKey().getEncoded());
        assertTrue(cluster.ca.verify(cert));
        assertLoginFails("alice", cluster.passphrase(ALICE_PASS));
        // A copy of the old envelope, harvested before the change, opens the old key: the server refuses it.
        assertLoginFails("alice", (user, served) -> cluster.envelopes().open(user, ALICE_PASS.clone(), oldEnvelope,
                user));
        assertLogsIn("alice", NEW_PASS);
        assertEnded(bystander);
        Eventually.equals(0, () -> (int) sessionsOf("alice"), 5_000, "every session of alice ended");
    }

    /**
     * A person moves from the passphrase envelope to a software key kept by their own client (before: no rotation
     * existed). The old key fails at once, the account keeps its name and has no envelope any more.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void oldKeyFailsRightAfterRotation(Transport t) throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, random);
        try {
            CommandChannel s = session(t, "alice", ALICE_PASS);
            try (SoftwareToken fresh = SoftwareToken.fromPkcs8("alice", pkcs8, List.of())) {
                KeyRotation.toToken(s, "alice", fresh);
            }
            assertLoginFails("alice", cluster.passphrase(ALICE_PASS));
            assertTrue(cluster.store.findAccount("alice").orElseThrow().envelope().isEmpty());
            assertLogsInWithKey("alice", pkcs8);
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /**
     * A derive-only key (as a new card's PIV 9D key: here an X25519 key in a software token, so the test needs no
     * card) rotates by key agreement over the rekey binding; its certificate allows key agreement only, and the
     * account logs in with the key-agreement proof.
     */
    @Test
    void aDeriveOnlyKeyRotatesByKeyAgreement() throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.X25519, random);
        try {
            OcaSession s = tcp("alice", ALICE_PASS);
            X509Certificate cert;
            try (SoftwareToken fresh = SoftwareToken.fromPkcs8("alice", pkcs8, List.of())) {
                cert = KeyRotation.toKeyAgreementToken(s, "alice", fresh);
            }
            boolean[] usage = cert.getKeyUsage();
            assertTrue(usage[4] && !usage[0], "keyAgreement, not digitalSignature");
            assertLoginFails("alice", cluster.passphrase(ALICE_PASS));
            assertLogsInWithKey("alice", pkcs8);
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** The change is bound to the session: the old code had no such check (nor the command). */
    @Test
    void aRekeyProofMadeForAnotherSessionIsRefused() throws Exception {
        OcaSession first = tcp("alice", ALICE_PASS);
        OcaSession second = tcp("alice", ALICE_PASS);
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        try (SoftwareToken key = SoftwareToken.fromPkcs8("alice", pkcs8, List.of())) {
            byte[] spki = key.publicKey().getEncoded();
            // The first session's challenge, and a request signed over its binding...
            RispCommand challenge = first.exec(RispCommand.string(AccountLifecycleCommands.REKEY_BEGIN.id(), spki))
                    .get(0);
            assertEquals(AccountLifecycleCommands.REKEY_CHALLENGE.id(), challenge.id());
            byte[] nonce = new byte[32];
            challenge.bytes().get(nonce);
            byte[] binding = AccountLifecycleCommands.binding(first.sessionId(), nonce, spki, "alice");
            byte[] csr = Enrolment.csr(key, new X500Name("CN=x"), key.signatureSchemes().iterator().next(),
                    java.util.HexFormat.of().formatHex(binding)).getEncoded();
            // ...sent in the second session, which has no challenge, then after a challenge of its own.
            List<RispCommand> noChallenge = second.exec(rekeySigned(csr));
            assertRefused(noChallenge, ErrorCode.BAD_PARAMETER, "no open rekey challenge");
            second.exec(RispCommand.string(AccountLifecycleCommands.REKEY_BEGIN.id(), spki));
            assertRefused(second.exec(rekeySigned(csr)), ErrorCode.BAD_PARAMETER, "rekey binding");
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
        assertLogsIn("alice", ALICE_PASS);
        assertEquals(CoreCommands.PONG.id(), first.exec(PING).get(0).id(), "nothing changed: the sessions live");
    }

    private static RispCommand rekeySigned(byte[] csr) {
        ByteBuffer p = ByteBuffer.allocate(4 + csr.length);
        p.putShort((short) csr.length).put(csr).putShort((short) 0);
        return RispCommand.string(AccountLifecycleCommands.REKEY_SIGNED.id(), p.array());
    }

    private static void assertRefused(List<RispCommand> reply, ErrorCode code, String why) {
        assertEquals(CoreCommands.ERROR.id(), reply.get(0).id(), reply::toString);
        assertEquals(code.code(), reply.get(0).number());
        String text = StandardCharsets.UTF_8.decode(reply.get(1).bytes()).toString();
        assertTrue(text.contains(why), text);
    }

    /** Before: no delete at all. Now the account, its key and its sessions go, and the name needs a new code. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void deletedAccountsLiveSessionEnds(Transport t) throws Exception {
        OcaSession alice = tcp("alice", ALICE_PASS);
        CommandChannel admin = session(t, "root", ROOT_PASS);
        assertEquals(List.of(RispCommand.none(CoreCommands.OK.id())), admin.exec(RispCommand.string(
                AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(), utf8("alice"))));

        assertEnded(alice);
        Eventually.equals(0, () -> (int) sessionsOf("alice"), 5_000, "alice's sessions ended");
        assertTrue(cluster.store.findAccount("alice").isEmpty());
        assertLoginFails("alice", cluster.passphrase(ALICE_PASS));
        assertRefused(admin.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(),
                utf8("alice"))), ErrorCode.NOT_FOUND, "no account alice");
        assertRefused(admin.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(),
                utf8("root"))), ErrorCode.CONFLICT, "their own account");
        // The name is free again, but only a new code (an admin's) can enrol it.
        String code = code(admin.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                withRoleAndKind("alice"))));
        enrolPerson("alice", code, NEW_PASS);
        assertLogsIn("alice", NEW_PASS);
    }

    /**
     * Reset takes effect at once (before, no reset existed): the old passphrase and key fail before the owner
     * re-enrols, the sessions end, and the printed code enrols the same name with the same role.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void resetAccountsOldKeyFailsAtOnceAndItsCodeReEnrolsTheName(Transport t) throws Exception {
        OcaSession alice = tcp("alice", ALICE_PASS);
        CommandChannel admin = session(t, "root", ROOT_PASS);
        String code = code(admin.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_RESET.id(),
                utf8("alice"))));

        assertEnded(alice);
        assertLoginFails("alice", cluster.passphrase(ALICE_PASS));
        assertRefused(admin.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_RESET.id(),
                utf8("nobody"))), ErrorCode.NOT_FOUND, "no account nobody");
        enrolPerson("alice", code, NEW_PASS);
        assertEquals(Account.Role.USER, cluster.store.findAccount("alice").orElseThrow().role());
        assertLogsIn("alice", NEW_PASS);
        assertLoginFails("alice", cluster.passphrase(ALICE_PASS));
    }

    /**
     * Reset and delete of a service account (a key the client keeps, as a token would; no envelope): the old key
     * fails at once, the code re-enrols the same name as a service with a new key, and delete ends that key too.
     * The person-only tests above left the other account kinds unchecked.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aServiceIsResetThenDeletedAndEachTimeItsKeyFailsAtOnce(Transport t) throws Exception {
        byte[] oldKey = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        byte[] newKey = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        try {
            try (SoftwareToken key = SoftwareToken.fromPkcs8("backup", oldKey.clone(), List.of())) {
                X509Certificate cert = cluster.ca.issue("backup", org.opencluster.auth.server.ca.ClusterCa.Subject
                        .SERVICE, key.publicKey(), java.time.Duration.ofDays(30));
                cluster.store.createAccount("backup", Account.Kind.SERVICE, Account.Role.USER,
                        key.publicKey().getEncoded(), cert.getEncoded(), null);
            }
            assertLogsInWithKey("backup", oldKey);
            CommandChannel admin = session(t, "root", ROOT_PASS);
            String code = code(admin.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_RESET.id(),
                    utf8("backup"))));
            assertLoginFails("backup", (u, served) -> SoftwareToken.fromPkcs8(u, oldKey.clone(), List.of()));
            try (OcaSession e = OcaSession.enrol(cluster.address(), "backup", code, cluster.pinned(),
                    new OcaSession.Options());
                    SoftwareToken key = SoftwareToken.fromPkcs8("backup", newKey.clone(), List.of())) {
                X509Certificate cert = Enroller.tokenHolder(e, "backup", key);
                assertTrue(cert.getSubjectX500Principal().getName().contains("OU=service"), "still a service");
            }
            assertEquals(Account.Kind.SERVICE, cluster.store.findAccount("backup").orElseThrow().kind());
            assertLogsInWithKey("backup", newKey);
            assertLoginFails("backup", (u, served) -> SoftwareToken.fromPkcs8(u, oldKey.clone(), List.of()));

            assertEquals(List.of(RispCommand.none(CoreCommands.OK.id())), admin.exec(RispCommand.string(
                    AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(), utf8("backup"))));
            assertLoginFails("backup", (u, served) -> SoftwareToken.fromPkcs8(u, newKey.clone(), List.of()));
        } finally {
            java.util.Arrays.fill(oldKey, (byte) 0);
            java.util.Arrays.fill(newKey, (byte) 0);
        }
    }

    private void enrolPerson(String user, String code, char[] passphrase) throws Exception {
        try (OcaSession e = OcaSession.enrol(cluster.address(), user, code, cluster.pinned(),
                new OcaSession.Options())) {
            Enroller.person(e, user, passphrase, KeyType.EC_P256, cluster.envelopes(), random);
        }
    }

    private static String code(List<RispCommand> reply) {
        assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), reply.get(0).id(), reply::toString);
        return StandardCharsets.US_ASCII.decode(reply.get(0).bytes()).toString();
    }

    private static byte[] withRoleAndKind(String name) {
        byte[] n = utf8(name);
        byte[] p = new byte[2 + n.length];
        System.arraycopy(n, 0, p, 2, n.length);
        return p;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A non-admin may neither delete nor reset. */
    @Test
    void onlyAdminsDeleteOrReset() throws Exception {
        OcaSession alice = tcp("alice", ALICE_PASS);
        assertRefused(alice.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE.id(),
                utf8("root"))), ErrorCode.FORBIDDEN, "admin");
        assertRefused(alice.exec(RispCommand.string(AccountLifecycleCommands.ADMIN_ACCOUNT_RESET.id(),
                utf8("root"))), ErrorCode.FORBIDDEN, "admin");
        assertFalse(cluster.store.findAccount("root").isEmpty());
    }
}
