package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.io.IOException;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;

/** Bootstrap and enrolment over TCP: the first admin with the init code, then a person an admin invites. */
class EnrolmentEndToEndTest {
    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;
    private AuthServer server;
    private ServerTrust trust;
    private final PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TestCluster.TEST_KDF)
            .policy(org.opencluster.auth.token.envelope.EnvelopePolicy.builder().floor(TestCluster.TEST_KDF).build())
            .build();

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.KEY_AGREEMENT).start();
        server = cluster.server;
        trust = cluster.pinned();
    }

    /** Enroller.person registers with OPAQUE (credential version 2): the client speaks the OPRF step. */
    private LoginCredential passphrase(String pass) {
        return new org.opencluster.auth.client.login.PassphraseCredential(pass.toCharArray(), envelopes);
    }

    private OcaSession enrol(String user, String code) throws Exception {
        return OcaSession.enrol(server.address(), user, code, trust, new OcaSession.Options());
    }

    @Test
    void firstAdminEnrolsWithTheInitCodeThenInvitesAPerson() throws Exception {
        String bootCode = server.issueFirstAdminCode().orElseThrow();
        try (OcaSession e = enrol("root", bootCode.toLowerCase())) {
            List<RispCommand> ping = e.exec(RispCommand.none(CoreCommands.PING.id()));
            assertEquals(ErrorCode.FORBIDDEN.code(), ping.get(1 - 1).number(), "an enrolment session only enrols");
            X509Certificate cert = Enroller.person(e, "root", "root pass".toCharArray(), KeyType.ED25519, envelopes,
                    new SecureRandom());
            assertTrue(cert.getSubjectX500Principal().getName().contains("CN=root"));
        }
        assertEquals(Account.Role.ADMIN, server.account("root").orElseThrow().role());
        assertThrows(LoginException.class, () -> enrol("root2", bootCode), "the init code is single-use");

        String bobCode;
        try (OcaSession root = OcaSession.login(server.address(), "root", passphrase("root pass"), trust,
                new OcaSession.Options())) {
            byte[] p = ("\0\0" + "bob").getBytes(StandardCharsets.UTF_8);
            List<RispCommand> r = root.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(), p));
            assertEquals(EnrolCommands.ENROLMENT_CODE_IS.id(), r.get(0).id(), r.toString());
            bobCode = StandardCharsets.US_ASCII.decode(r.get(0).bytes()).toString();
        }
        LoginException other = assertThrows(LoginException.class, () -> enrol("carol", bobCode),
                "a code issued for bob does not enrol carol");
        assertEquals(HandshakeError.LOGIN_FAILED.code(), other.code());
        try (OcaSession e = enrol("bob", bobCode)) {
            Enroller.person(e, "bob", "bob pass".toCharArray(), KeyType.EC_P256, envelopes, new SecureRandom());
        }
        try (OcaSession bob = OcaSession.login(server.address(), "bob", passphrase("bob pass"), trust,
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), bob.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            List<RispCommand> denied = bob.exec(RispCommand.string(EnrolCommands.ADMIN_ENROLMENT_CODE.id(),
                    "\0\0eve".getBytes(StandardCharsets.UTF_8)));
            assertEquals(ErrorCode.FORBIDDEN.code(), denied.get(0).number());
        }
    }

    @Test
    void aWrongCodeFailsLikeAnyLoginAndLeavesTheCodeUsable() throws Exception {
        String code = server.issueFirstAdminCode().orElseThrow();
        LoginException wrong = assertThrows(LoginException.class, () -> enrol("root", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"));
        assertEquals(HandshakeError.LOGIN_FAILED.code(), wrong.code());
        try (OcaSession e = enrol("root", code)) {
            Enroller.person(e, "root", "pw".toCharArray(), KeyType.EC_P256, envelopes, new SecureRandom());
        }
        assertTrue(server.account("root").isPresent());
    }

    /**
     * A derive-only key (as a PIV 9D key) enrols by key agreement: a wrong proof, a proof without a challenge and a
     * key other than the challenged one are refused and leave the code's session able to try again; the right
     * proof gets a certificate for key agreement only, and the server then asks that account for the key-agreement
     * proof although its default for EC keys is the signature proof.
     */
    @Test
    void aDeriveOnlyKeyEnrolsByKeyAgreementAndLogsInWithTheKeyAgreementProof() throws Exception {
        cluster = clusters.in().ecProofKind(ProofKind.SIGNATURE).start();
        server = cluster.server;
        trust = cluster.pinned();
        String code = server.issueFirstAdminCode().orElseThrow();
        byte[] pkcs8 = org.opencluster.auth.token.software.SoftwareKeys.generatePkcs8(KeyType.EC_P256,
                new SecureRandom());
        byte[] otherPkcs8 = org.opencluster.auth.token.software.SoftwareKeys.generatePkcs8(KeyType.EC_P256,
                new SecureRandom());
        try (org.opencluster.auth.token.software.SoftwareToken key = org.opencluster.auth.token.software.SoftwareToken
                .fromPkcs8("dee", pkcs8, List.of());
             org.opencluster.auth.token.software.SoftwareToken other = org.opencluster.auth.token.software
                .SoftwareToken.fromPkcs8("other", otherPkcs8, List.of());
             OcaSession e = enrol("dee", code)) {
            byte[] spki = key.publicKey().getEncoded();
            java.nio.ByteBuffer forged = java.nio.ByteBuffer.allocate(6 + spki.length + 32);
            forged.putShort((short) spki.length).put(spki).putShort((short) 32).put(new byte[32]).putShort((short) 0);
            List<RispCommand> noChallenge = e.exec(RispCommand.string(
                    EnrolCommands.ENROL_ACCOUNT_BY_AGREEMENT.id(), forged.array()));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), noChallenge.get(0).number(), noChallenge.toString());
            List<RispCommand> challenge = e.exec(RispCommand.string(EnrolCommands.ENROL_KEY_CHALLENGE.id(), spki));
            assertEquals(EnrolCommands.ENROL_KEY_EPHEMERAL.id(), challenge.get(0).id());
            List<RispCommand> wrongProof = e.exec(RispCommand.string(
                    EnrolCommands.ENROL_ACCOUNT_BY_AGREEMENT.id(), forged.array()));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), wrongProof.get(0).number());
            assertTrue(server.account("dee").isEmpty());
            // A proof made with another key than the one announced is refused too.
            IOException swapped = assertThrows(IOException.class, () -> Enroller.keyAgreementHolder(e, "dee", code,
                    new org.opencluster.auth.token.Token() {
                        @Override public String label() { return "swapped"; }
                        @Override public java.util.List<X509Certificate> certificateChain() { return List.of(); }
                        @Override public java.security.PublicKey publicKey() { return key.publicKey(); }
                        @Override public KeyType keyType() { return KeyType.EC_P256; }
                        @Override public byte[] sign(org.opencluster.auth.token.SignatureScheme s, byte[] m)
                                throws org.opencluster.auth.token.TokenException { return other.sign(s, m); }
                        @Override public byte[] agree(java.security.PublicKey peer)
                                throws org.opencluster.auth.token.TokenException { return other.agree(peer); }
                        @Override public byte[] decrypt(org.opencluster.auth.token.EncryptionScheme s, byte[] c)
                                throws org.opencluster.auth.token.TokenException { return other.decrypt(s, c); }
                        @Override public void close() { }
                    }));
            assertTrue(swapped.getMessage().contains("does not verify"), swapped.getMessage());
            X509Certificate cert = Enroller.keyAgreementHolder(e, "dee", code, key);
            assertEquals(List.of(false, false, false, false, true), java.util.Arrays.stream(
                    new int[] {0, 1, 2, 3, 4}).mapToObj(i -> cert.getKeyUsage()[i]).toList(),
                    "keyAgreement only");
        }
        try (OcaSession dee = OcaSession.login(server.address(), "dee", (u, env) ->
                org.opencluster.auth.token.software.SoftwareToken.fromPkcs8("dee", pkcs8, List.of()), trust,
                new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), dee.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }
}
