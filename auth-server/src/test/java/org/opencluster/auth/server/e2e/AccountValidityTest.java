package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.SessionEndedException;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * What an account must still be at login and at each re-authentication (issue 13 item 13): its certificate issued
 * by this cluster's CA for its key and valid on the server's clock, the account enabled and unchanged. Each failure
 * looks like a wrong proof to the client, over TCP and REST: re-authentication reads the account again (disabled,
 * deleted or rekeyed since login). And a code that only adds a security key cannot certify a key.
 */
class AccountValidityTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final Duration INTERVAL = Duration.ofHours(1);
    private static final RispCommand WHOAMI = RispCommand.none(CoreCommands.WHOAMI.id());

    @RegisterExtension
    final Clusters clusters = new Clusters();
    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = clusters.in().https().config(b -> b.reauth(INTERVAL, Duration.ofMinutes(2)))
                .ecProofKind(ProofKind.SIGNATURE).start();
    }

    /** A person whose certificate {@code certify} makes for the key. */
    private void person(String name, Function<PublicKey, X509Certificate> certify) throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, cluster.random);
        try (SoftwareToken t = SoftwareToken.fromPkcs8(name, pkcs8, List.of())) {
            X509Certificate cert = certify.apply(t.publicKey());
            cluster.store.createAccount(name, Account.Kind.PERSON, Account.Role.USER, t.publicKey().getEncoded(),
                    cert.getEncoded(), cluster.envelopes().seal(name, PASS, pkcs8, List.of()));
        }
    }

    private OcaSession login(String name) throws Exception {
        return OcaSession.login(cluster.address(), name, cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options());
    }

    private void assertLoginFails(String name) {
        LoginException e = assertThrows(LoginException.class, () -> login(name).close(), name);
        assertEquals(HandshakeError.LOGIN_FAILED.code(), e.code(), "the same answer as a wrong proof");
    }

    @Test
    void anExpiredCertificateFailsTheLoginLikeAWrongProof() throws Exception {
        person("erin", key -> cluster.ca.issue("erin", ClusterCa.Subject.PERSON, key, Duration.ofDays(30)));
        login("erin").close();
        cluster.elapse(Duration.ofDays(31));
        assertLoginFails("erin");
    }

    @Test
    void aCertificateOfAnotherCaFailsTheLogin() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair foreignKey = g.generateKeyPair();
        org.bouncycastle.operator.ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                .build(foreignKey.getPrivate());
        // Same CA name as the cluster's, another key: only the signature tells them apart.
        String clusterCaName = cluster.ca.certificate().getSubjectX500Principal().getName();
        assertTrue(clusterCaName.contains("CA"), clusterCaName);
        X509Certificate foreignCert = ClusterCa.selfSign(clusterCaName.replaceAll(".*CN=(.*) CA.*", "$1"),
                foreignKey.getPublic(), signer, Duration.ofDays(365), Clock.systemUTC(), new SecureRandom());
        assertEquals(cluster.ca.certificate().getSubjectX500Principal(), foreignCert.getSubjectX500Principal());
        ClusterCa foreign = new ClusterCa(foreignCert, signer, cluster.clock, new SecureRandom());
        person("frank", key -> foreign.issue("frank", ClusterCa.Subject.PERSON, key, Duration.ofDays(30)));
        assertLoginFails("frank");
        // A certificate of this CA for another key does not do either.
        PublicKey otherKey = g.generateKeyPair().getPublic();
        person("gina", key -> cluster.ca.issue("gina", ClusterCa.Subject.PERSON, otherKey, Duration.ofDays(30)));
        assertLoginFails("gina");
    }

    /**
     * What may happen to an account while one of its sessions runs, made directly in the store (as another node, or
     * an admin tool, would): re-authentication must read the account again rather than trust what the login saw.
     */
    enum Change {
        DISABLED, DELETED, REKEYED
    }

    private void change(String name, Change change) throws Exception {
        switch (change) {
            case DISABLED -> assertTrue(cluster.store.setDisabled(name, true));
            case DELETED -> assertTrue(cluster.store.deleteAccount(name));
            case REKEYED -> {
                byte[] oldKey = cluster.store.findAccount(name).orElseThrow().publicKey();
                byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, cluster.random);
                try (SoftwareToken t = SoftwareToken.fromPkcs8(name, pkcs8, List.of())) {
                    // The same passphrase seals the new key: only the key tells the two credentials apart.
                    assertTrue(cluster.store.replaceKey(name, oldKey, t.publicKey().getEncoded(),
                            () -> encoded(cluster.ca.issue(name, ClusterCa.Subject.PERSON, t.publicKey(),
                                    Duration.ofDays(30))), cluster.envelopes().seal(name, PASS, pkcs8, List.of())));
                }
            }
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void reauthenticationOverTcpEndsTheSessionOfAnAccountChangedSinceLogin(Change change) throws Exception {
        String name = "hank-" + change.name().toLowerCase(java.util.Locale.ROOT);
        person(name, key -> cluster.ca.issue(name, ClusterCa.Subject.PERSON, key, Duration.ofDays(30)));
        OcaSession s = login(name);
        assertEquals(name, StandardCharsets.UTF_8.decode(s.exec(WHOAMI).get(0).bytes()).toString());
        change(name, change);
        cluster.elapse(INTERVAL.plusSeconds(1));
        SessionEndedException ended = assertThrows(SessionEndedException.class, () -> s.exec(WHOAMI));
        assertEquals(ErrorCode.REAUTH_FAILED.code(), ended.serverCode());
        assertTrue(ended.getMessage().contains("did not verify"), "like a wrong proof: " + ended.getMessage());
        Eventually.equals(0, cluster.sessions::size, 5000, "the server ended the session");
        s.close();
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void reauthenticationOverRestEndsTheSessionOfAnAccountChangedSinceLogin(Change change) throws Exception {
        String name = "ida-" + change.name().toLowerCase(java.util.Locale.ROOT);
        person(name, key -> cluster.ca.issue(name, ClusterCa.Subject.PERSON, key, Duration.ofDays(30)));
        RestClient.Session s = cluster.rest().login(name, cluster.passphrase(PASS), cluster.pinned(),
                CommandRegistry.builder().include(CoreCommands.registry()).include(ReauthCommands.registry()).build());
        assertTrue(RestReauthentication.run(s, name, cluster.passphrase(PASS), UnaryOperator.identity()).done(),
                "re-authentication works while the account is unchanged");
        change(name, change);
        RestReauthentication.Exchange x = RestReauthentication.run(s, name, cluster.passphrase(PASS),
                UnaryOperator.identity());
        assertEquals(CoreCommands.ERROR.id(), x.replies().get(0).id(), x.replies().toString());
        assertEquals(ErrorCode.REAUTH_FAILED.code(), x.replies().get(0).number());
        String text = StandardCharsets.UTF_8.decode(x.replies().get(1).bytes()).toString();
        assertTrue(text.contains("did not verify"), "like a wrong proof: " + text);
        Eventually.equals(0, cluster.sessions::size, 5000, "the server ended the session");
        assertEquals(404, s.postFrames(s.seal(WHOAMI)).statusCode(), "the session is gone");
    }

    @Test
    void reauthenticationEndsTheSessionOnceTheCertificateExpired() throws Exception {
        person("ivy", key -> cluster.ca.issue("ivy", ClusterCa.Subject.PERSON, key, Duration.ofMinutes(90)));
        OcaSession s = login("ivy");
        cluster.elapse(INTERVAL.plusSeconds(1));
        assertEquals("ivy", StandardCharsets.UTF_8.decode(s.exec(WHOAMI).get(0).bytes()).toString(),
                "the first re-authentication, certificate still valid");
        cluster.elapse(INTERVAL.plusSeconds(1));
        SessionEndedException ended = assertThrows(SessionEndedException.class, () -> s.exec(WHOAMI));
        assertEquals(ErrorCode.REAUTH_FAILED.code(), ended.serverCode());
        s.close();
    }

    /**
     * A code from WEBAUTHN_REGISTRATION_CODE opens an enrolment session for an existing account, to add a security
     * key: it must not reach the key-agreement enrolment, where the CA used to certify the key before the store
     * refused the taken name.
     */
    @Test
    void aSecurityKeyCodeCannotEnrolAKeyByAgreement() throws Exception {
        person("jo", key -> cluster.ca.issue("jo", ClusterCa.Subject.PERSON, key, Duration.ofDays(30)));
        String code;
        try (OcaSession s = login("jo")) {
            code = s.webAuthnRegistrationCode();
        }
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, cluster.random);
        try (SoftwareToken key = SoftwareToken.fromPkcs8("jo", pkcs8, List.of());
             OcaSession e = OcaSession.enrol(cluster.address(), "jo", code, cluster.pinned(),
                     new OcaSession.Options())) {
            byte[] spki = key.publicKey().getEncoded();
            List<RispCommand> challenge = e.exec(RispCommand.string(EnrolCommands.ENROL_KEY_CHALLENGE.id(), spki));
            assertEquals(ErrorCode.FORBIDDEN.code(), challenge.get(0).number(), challenge.toString());
            java.nio.ByteBuffer p = java.nio.ByteBuffer.allocate(6 + spki.length + 32);
            p.putShort((short) spki.length).put(spki).putShort((short) 32).put(new byte[32]).putShort((short) 0);
            List<RispCommand> byAgreement = e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT_BY_AGREEMENT.id(),
                    p.array()));
            assertEquals(ErrorCode.FORBIDDEN.code(), byAgreement.get(0).number(), byAgreement.toString());
            java.io.IOException refused = assertThrows(java.io.IOException.class,
                    () -> Enroller.keyAgreementHolder(e, "jo", code, key));
            assertTrue(refused.getMessage().contains("security key"), refused.getMessage());
        }
    }

    /** The key policy over the wire: an RSA-1024 request gets BAD_PARAMETER naming the policy, and no account. */
    @Test
    void anRsa1024KeyIsRefusedAtEnrolmentWithAClearError() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        KeyPair weak = g.generateKeyPair();
        byte[] csr = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name("CN=root"), weak.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate())).getEncoded();
        try (OcaSession e = OcaSession.enrol(cluster.address(), "root", cluster.server.issueFirstAdminCode().orElseThrow(),
                cluster.pinned(), new OcaSession.Options())) {
            java.nio.ByteBuffer p = java.nio.ByteBuffer.allocate(4 + csr.length);
            p.putShort((short) csr.length).put(csr).putShort((short) 0);
            List<RispCommand> reply = e.exec(RispCommand.string(EnrolCommands.ENROL_ACCOUNT.id(), p.array()));
            assertEquals(ErrorCode.BAD_PARAMETER.code(), reply.get(0).number(), reply.toString());
            String text = StandardCharsets.UTF_8.decode(reply.get(1).bytes()).toString();
            assertTrue(text.contains("key policy refuses an RSA key of 1024 bits"), text);
        }
        assertTrue(cluster.store.findAccount("root").isEmpty());
    }
}
