package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.trust.ClusterCaTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 13 item 12, docs/PROTOCOL.md 5.3.4: a client that trusts the pinned cluster CA (instead of a pinned key)
 * accepts only a server certificate of that CA, never the certificate of an enrolled person or service.
 */
class ClusterCaTrustTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    @TempDir
    Path dir;
    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void theServersCertificateFromThePinnedClusterCaIsTrustedAndTheLoginWorks() throws Exception {
        try (OcaSession s = OcaSession.login(cluster.address(), "alice", cluster.passphrase(PASS),
                new ClusterCaTrust(cluster.ca.certificate()), new OcaSession.Options())) {
            assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
        }
    }

    @Test
    void aPersonsCertificateSignedByTheClusterCaPresentedAsServerCertificateIsRefused() throws Exception {
        X509Certificate person;
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, new SecureRandom());
        try (SoftwareToken key = SoftwareToken.fromPkcs8("mallory", pkcs8, List.of())) {
            person = cluster.ca.issue("mallory", ClusterCa.Subject.PERSON, key.publicKey(), Duration.ofDays(30));
        }
        HandshakeException e = assertThrows(HandshakeException.class,
                () -> new ClusterCaTrust(cluster.ca.certificate()).check(List.of(person, cluster.ca.certificate())));
        assertEquals(HandshakeError.UNTRUSTED_SERVER_KEY, e.error());
    }

    @Test
    void aServerCertificateOfAnotherCaIsRefusedBeforeTheUsernameLeaves() throws Exception {
        try (TestCluster other = new TestCluster(dir.resolve("other"), ProofKind.KEY_AGREEMENT)) {
            LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(cluster.address(), "alice",
                    (u, env) -> {
                        throw new AssertionError("the credential must not be asked for");
                    }, new ClusterCaTrust(other.ca.certificate()), new OcaSession.Options()));
            assertEquals(HandshakeError.UNTRUSTED_SERVER_KEY.code(), e.code());
        }
    }
}
