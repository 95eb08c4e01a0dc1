package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 13 item 10: an envelope is checked when the person enrols (layout, account, size, KDF floor), so an
 * account that enrols can log in, whatever supported key type it chose.
 */
class EnvelopeEnrolmentTest {
    private static final char[] PASS = "enrolment pass".toCharArray();
    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private AuthServer server;
    private ServerTrust trust;
    private final PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF).build();

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.SIGNATURE).start();
        server = cluster.server;
        trust = cluster.pinned();
    }

    private OcaSession enrolment(String user) throws Exception {
        return OcaSession.enrol(server.address(), user, server.issueFirstAdminCode().orElseThrow(), trust,
                new OcaSession.Options());
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "ED25519", "RSA_2048", "RSA_3072"})
    void everySupportedKeyTypeEnrolsWithItsEnvelopeAndLogsIn(KeyType type) throws Exception {
        String user = "a-person-with-a-rather-long-name-" + "x".repeat(180) + "-" + type.name().toLowerCase();
        try (OcaSession e = enrolment(user)) {
            Enroller.person(e, user, PASS, type, envelopes, new SecureRandom());
        }
        try (OcaSession s = OcaSession.login(server.address(), user,
                new org.opencluster.auth.client.login.PassphraseCredential(PASS, envelopes),
                trust, new OcaSession.Options())) {
            assertEquals(List.of(RispCommand.none(CoreCommands.PONG.id())),
                    s.exec(RispCommand.none(CoreCommands.PING.id())));
        }
    }

    @Test
    void anEnvelopeSealedForAnotherAccountIsRefusedAtEnrolment() throws Exception {
        assertRefused("root", sealed("mallory", envelopes, KeyType.EC_P256, List.of()), "WRONG_ACCOUNT");
    }

    @Test
    void anEnvelopeWithAKdfBelowTheProjectsArgon2idParametersIsRefusedAtEnrolment() throws Exception {
        KdfParameters weak = new KdfParameters(1024, 1, 1);
        PassphraseEnvelope cheap = PassphraseEnvelope.builder().kdf(weak)
                .policy(EnvelopePolicy.builder().floor(weak).build()).build();
        assertRefused("root", sealed("root", cheap, KeyType.EC_P256, List.of()), ErrorCode.KDF_TOO_WEAK,
                "KDF_TOO_WEAK");
    }

    @Test
    void anEnvelopeThatCannotBeServedIsRefusedAtEnrolmentNotAtEveryLogin() throws Exception {
        // An RSA-3072 key with a certificate chain beside it: larger than the ENVELOPE field.
        List<X509Certificate> chain = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            chain.add(server.serverCertificate());
        }
        assertRefused("root", sealed("root", envelopes, KeyType.RSA_3072, chain), "does not fit");
    }

    @Test
    void somethingThatIsNotAnEnvelopeIsRefusedAtEnrolment() throws Exception {
        // (A code is used up by its enrolment login, refused or not: one attempt per server here.)
        assertRefused("root", "OCAE but not an envelope".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "ENVELOPE_CORRUPT");
    }

    /** A request Bouncy Castle cannot parse: its message (naming its classes) stays in the server's log. */
    @Test
    void aMalformedCertificationRequestIsRefusedWithoutJavaExceptionText() throws Exception {
        byte[] notACsr = {0x30, 0x03, 0x0c, 0x01, 0x41}; // a SEQUENCE holding a UTF8String
        String text = assertRefused("root", new byte[][] {notACsr, new byte[0]}, "not the DER of a PKCS#10 request");
        assertFalse(text.contains("java.") || text.contains("org.") || text.contains("Exception"), text);
    }

    /** Seals a fresh key of {@code type} for {@code account}; the request is signed by that key. */
    private byte[][] sealed(String account, PassphraseEnvelope with, KeyType type, List<X509Certificate> chain)
            throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(type, new SecureRandom());
        try (SoftwareToken key = SoftwareToken.fromPkcs8(account, pkcs8, List.of())) {
            byte[] csr = org.opencluster.auth.token.enrol.Enrolment.csr(key, new X500Name("CN=x"),
                    key.signatureSchemes().iterator().next()).getEncoded();
            return new byte[][] {csr, with.seal(account, PASS, pkcs8, chain)};
        }
    }

    private String assertRefused(String user, byte[][] csrAndEnvelope, String why) throws Exception {
        return assertRefused(user, csrAndEnvelope, ErrorCode.BAD_PARAMETER, why);
    }

    /** Returns the ERROR_TEXT of the refusal. */
    private String assertRefused(String user, byte[][] csrAndEnvelope, ErrorCode code, String why) throws Exception {
        String text;
        try (OcaSession e = enrolment(user)) {
            byte[] csr = csrAndEnvelope[0];
            byte[] envelope = csrAndEnvelope[1];
            ByteBuffer p = ByteBuffer.allocate(4 + csr.length + envelope.length);
            p.putShort((short) csr.length).put(csr).putShort((short) envelope.length).put(envelope);
            List<RispCommand> reply = e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT.id(), p.array()));
            assertEquals(CoreCommands.ERROR.id(), reply.get(0).id(), reply::toString);
            assertEquals(code.code(), reply.get(0).number());
            text = java.nio.charset.StandardCharsets.UTF_8.decode(reply.get(1).bytes()).toString();
            assertTrue(text.contains(why), text);
        }
        assertFalse(server.account(user).isPresent(), "no account was created");
        return text;
    }

    private void assertRefused(String user, byte[] envelope, String why) throws Exception {
        byte[][] pair = sealed(user, envelopes, KeyType.EC_P256, List.of());
        pair[1] = envelope;
        assertRefused(user, pair, why);
    }
}
