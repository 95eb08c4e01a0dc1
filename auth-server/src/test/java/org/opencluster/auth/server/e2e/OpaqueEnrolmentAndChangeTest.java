package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.OpaqueCommands;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 14 items 2 and 3 of this session, over both transports: a person enrolled with {@link Enroller#person} is
 * at credential version 2 from the start (OPAQUE registration in the enrolment session, record uploaded with
 * ENROL_ACCOUNT), and a passphrase change ({@link KeyRotation#newPassphrase}) carries a new registration, so the
 * account never falls back to an envelope sealed under Argon2id(passphrase) alone.
 */
class OpaqueEnrolmentAndChangeTest {
    private static final char[] ROOT_PASS = "root admin passphrase".toCharArray();
    private static final char[] PASS = "ivy's first passphrase, long enough".toCharArray();
    private static final char[] NEW_PASS = "ivy's second passphrase, longer still".toCharArray();

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private RestClient rest;
    private final SecureRandom random = new SecureRandom();

    enum Transport { TCP, REST }

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.in().https().start();
        cluster.person("root", ROOT_PASS, Account.Role.ADMIN, KeyType.EC_P256);
        rest = new RestClient(cluster.server.httpsAddress().orElseThrow(), cluster.serverCert);
    }

    private OcaSession tcpLogin(String user, LoginCredential credential) throws Exception {
        return clusters.closing(OcaSession.login(cluster.address(), user, credential, cluster.pinned(),
                new OcaSession.Options()));
    }

    private CommandChannel login(Transport t, String user, PassphraseCredential credential) throws Exception {
        return t == Transport.TCP ? tcpLogin(user, credential)
                : rest.login(user, credential, cluster.pinned(), cluster.server.dispatcher().registry()).asChannel();
    }

    private CommandChannel enrolment(Transport t, String user, String code) throws Exception {
        return t == Transport.TCP ? clusters.closing(OcaSession.enrol(cluster.address(), user, code,
                cluster.pinned(), new OcaSession.Options()))
                : rest.enrol(user, code, cluster.pinned(), cluster.server.dispatcher().registry()).asChannel();
    }

    /** An admin's code for {@code name}: kind 0 person or 1 service, role user. */
    private String code(String name, int kind) throws Exception {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + n.length];
        p[1] = (byte) kind;
        System.arraycopy(n, 0, p, 2, n.length);
        // cluster.passphrase never re-registers: root stays at version 1 (the listing test counts on it)
        List<RispCommand> reply = tcpLogin("root", cluster.passphrase(ROOT_PASS)).exec(RispCommand.string(
                EnrolCommands.ADMIN_ENROLMENT_CODE.id(), p));
        assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), reply.get(0).id(), reply::toString);
        return StandardCharsets.US_ASCII.decode(reply.get(0).bytes()).toString();
    }

    private Account ivy() {
        return cluster.store.findAccount("ivy").orElseThrow();
    }

    /** The stored envelope does not open with Argon2id(passphrase): it is no offline test of a guess. */
    private void assertNoArgon2Oracle(char[] passphrase) {
        TokenException e = assertThrows(TokenException.class, () -> cluster.envelopes().open("ivy",
                passphrase.clone(), ivy().envelope().orElseThrow(), "ivy"));
        assertEquals(TokenError.WRONG_PASSPHRASE, e.error());
    }

    private void assertLoginFails(Transport t, char[] passphrase) {
        try (PassphraseCredential c = cluster.opaquePassphrase(passphrase)) {
            LoginException e = assertThrows(LoginException.class, () -> login(t, "ivy", c));
            assertTrue(e.getCause() instanceof TokenException, e::toString);
        }
    }

    /**
     * Item 2: enrolment registers with OPAQUE. The old {@code Enroller.person} sealed a version 1 envelope: the
     * account's ENVELOPE, which anyone naming it receives, opened with Argon2id(passphrase) until the first login
     * moved it (here {@link #assertNoArgon2Oracle} failed, and the first login opened version 1).
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void anEnrolledPersonIsAtCredentialVersionTwoFromTheStart(Transport t) throws Exception {
        String code = code("ivy", 0);
        Enroller.person(enrolment(t, "ivy", code), "ivy", PASS, KeyType.EC_P256, cluster.envelopes(), random);

        assertEquals(2, ivy().credentialVersion());
        assertNoArgon2Oracle(PASS);
        try (PassphraseCredential c = cluster.opaquePassphrase(PASS)) {
            CommandChannel s = login(t, "ivy", c);
            assertEquals(2, c.openedVersion(), "the first login already goes through the OPRF step");
            assertEquals("ivy", new String(s.exec(RispCommand.none(CoreCommands.WHOAMI.id())).get(0).copyBytes(),
                    StandardCharsets.UTF_8));
        }
        assertEquals(2, ivy().credentialVersion(), "nothing left to migrate");
        assertLoginFails(t, NEW_PASS);
    }

    /**
     * Item 3: a passphrase change at version 2 uploads a new registration record with the new envelope. The old
     * code cleared the record and stored a version 1 envelope (credential version 1 here, and
     * {@link #assertNoArgon2Oracle} failed for the new passphrase). The old passphrase fails at once.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aPassphraseChangeStaysAtVersionTwoAndTheOldPassphraseFails(Transport t) throws Exception {
        Enroller.person(enrolment(Transport.TCP, "ivy", code("ivy", 0)), "ivy", PASS, KeyType.EC_P256,
                cluster.envelopes(), random);
        byte[] oldRecord = ivy().opaqueRecord().orElseThrow();
        try (PassphraseCredential c = cluster.opaquePassphrase(PASS)) {
            KeyRotation.newPassphrase(login(t, "ivy", c), "ivy", NEW_PASS, KeyType.EC_P256, cluster.envelopes(),
                    random);
        }
        assertEquals(2, ivy().credentialVersion());
        assertFalse(java.util.Arrays.equals(oldRecord, ivy().opaqueRecord().orElseThrow()));
        assertNoArgon2Oracle(NEW_PASS);
        assertLoginFails(Transport.TCP, PASS);
        assertLoginFails(Transport.REST, PASS);
        try (PassphraseCredential c = cluster.opaquePassphrase(NEW_PASS)) {
            login(t, "ivy", c);
            assertEquals(2, c.openedVersion());
        }
    }

    /**
     * Item 7: the admin listing says which accounts are still on version 1, over REST as over TCP: root was
     * provisioned with a version 1 envelope, ivy enrolled at version 2.
     */
    @Test
    void theAdminListingShowsEachAccountsCredentialVersionOverRest() throws Exception {
        Enroller.person(enrolment(Transport.REST, "ivy", code("ivy", 0)), "ivy", PASS, KeyType.EC_P256,
                cluster.envelopes(), random);
        CommandChannel admin = rest.login("root", cluster.passphrase(ROOT_PASS), cluster.pinned(),
                cluster.server.dispatcher().registry()).asChannel();
        List<RispCommand> list = admin.exec(RispCommand.none(AdminCommands.ACCOUNTS_LIST.id()));
        // per account: NAME, KIND, ROLE, DISABLED, CREDENTIAL_VERSION; ivy sorts before root
        assertEquals("ivy", new String(list.get(0).copyBytes(), StandardCharsets.UTF_8));
        assertEquals(OpaqueCommands.ACCOUNT_CREDENTIAL_VERSION.id(), list.get(4).id());
        assertEquals(2L, list.get(4).number());
        assertEquals("root", new String(list.get(5).copyBytes(), StandardCharsets.UTF_8));
        assertEquals(1L, list.get(9).number(), "root is still on version 1");
    }

    /**
     * A service's code cannot have a passphrase evaluated (there is no passphrase to register), and an enrolment
     * session cannot finish a registration (it has no account to replace the credential of).
     */
    @Test
    void onlyAPersonsEnrolmentRegistersAPassphrase() throws Exception {
        CommandChannel service = enrolment(Transport.TCP, "svc", code("svc", 1));
        byte[] blinded;
        try (PassphraseCredential c = cluster.opaquePassphrase(PASS)) {
            blinded = c.registrationRequest(random).request().serialize();
        }
        assertRefused(service.exec(RispCommand.string(OpaqueCommands.OPAQUE_REGISTER_BEGIN.id(), blinded)),
                ErrorCode.FORBIDDEN);
        CommandChannel person = enrolment(Transport.TCP, "ivy", code("ivy", 0));
        assertEquals(OpaqueCommands.OPAQUE_REGISTRATION_RESPONSE.id(), person.exec(RispCommand.string(
                OpaqueCommands.OPAQUE_REGISTER_BEGIN.id(), blinded)).get(0).id());
        assertRefused(person.exec(RispCommand.string(OpaqueCommands.OPAQUE_REGISTER_FINISH.id(), new byte[131])),
                ErrorCode.FORBIDDEN);
    }

    /**
     * ENROL_ACCOUNT's new tail is checked before anything is certified: a registration record without the envelope
     * it sealed, or a tail that is not exactly one record, is refused and the code stays usable.
     */
    @Test
    void enrolAccountRefusesAMalformedRegistrationTail() throws Exception {
        String code = code("ivy", 0);
        CommandChannel e = enrolment(Transport.TCP, "ivy", code);
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, random);
        byte[] csr;
        try (SoftwareToken key = SoftwareToken.fromPkcs8("ivy", pkcs8, List.of())) {
            csr = Enrolment.csr(key, new X500Name("CN=ivy"), key.signatureSchemes().iterator().next()).getEncoded();
        }
        assertRefused(e.exec(enrolAccount(csr, new byte[0], new byte[OpaqueCommands.RECORD_LENGTH])),
                ErrorCode.BAD_PARAMETER);
        assertRefused(e.exec(enrolAccount(csr, new byte[0], new byte[5])), ErrorCode.BAD_PARAMETER);
        assertTrue(cluster.store.findAccount("ivy").isEmpty());
        Enroller.person(enrolment(Transport.TCP, "ivy", code), "ivy", PASS, KeyType.EC_P256, cluster.envelopes(),
                random);
        assertEquals(2, ivy().credentialVersion());
    }

    private static RispCommand enrolAccount(byte[] csr, byte[] envelope, byte[] tail) {
        ByteBuffer p = ByteBuffer.allocate(4 + csr.length + envelope.length + tail.length);
        p.putShort((short) csr.length).put(csr).putShort((short) envelope.length).put(envelope).put(tail);
        return RispCommand.string(EnrolCommands.ENROL_ACCOUNT.id(), p.array());
    }

    private static void assertRefused(List<RispCommand> reply, ErrorCode code) {
        assertEquals(CoreCommands.ERROR.id(), reply.get(0).id(), reply::toString);
        assertEquals(code.code(), reply.get(0).number(), reply::toString);
    }
}
