package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.server.boot.ClusterJoin;
import org.opencluster.auth.server.config.ServerConfig;

/**
 * Issue 16 item 3 on the embedded database (two servers in one JVM share an H2 file as two nodes share PostgreSQL):
 * the secrets every node must share, their fingerprint in the database, and {@code init --join}.
 */
class ClusterSecretsTest {
    @RegisterExtension
    final Clusters clusters = new Clusters();

    private static ServerConfig.Builder onDatabaseOf(ServerConfig.Builder c, TestCluster first, String node) {
        return c.database(first.config.dbUrl(), first.config.dbUser(), first.config.dbPassword())
                .clusterNodeId(node);
    }

    /**
     * The issue: a second node initialised on its own (its own data directory, the same database) got its own
     * server key, CA and decoy secret; a real user's envelope was the same on both nodes while an unknown name's
     * decoy differed, so comparing the two nodes' answers told which usernames exist. The old code started it;
     * now it refuses, naming {@code init --join}, and leaves no data directory behind.
     */
    @Test
    void aSecondNodeInitialisedOnItsOwnRefusesToStart() throws Exception {
        TestCluster a = clusters.in().config(c -> c.clusterNodeId("node-a")).start();
        Path[] dataOfC = new Path[1];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> clusters.in().config(c -> {
            ServerConfig.Builder b = onDatabaseOf(c, a, "node-c");
            dataOfC[0] = b.build().dataDir();
            return b;
        }).start());
        assertTrue(e.getMessage().contains("init --join") && e.getMessage().contains("node-a"), e.getMessage());
        assertFalse(Files.exists(dataOfC[0]), "a failed first start removes the directory it made");
    }

    /**
     * A node set up with {@link ClusterJoin} (what {@code oca-server init --join} runs first) starts on the
     * cluster's database, and an unknown name gets the same decoy envelope from both nodes: comparing them tells
     * nothing.
     */
    @Test
    void aJoinedNodeStartsAndAnswersAnUnknownNameAsTheFirstNode() throws Exception {
        TestCluster a = clusters.in().config(c -> c.clusterNodeId("node-a")).start();
        List<String>[] copied = new List[1];
        TestCluster b = clusters.in().config(c -> {
            try {
                copied[0] = ClusterJoin.copySecrets(a.config.dataDir(), onDatabaseOf(c, a, "node-b").build());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return onDatabaseOf(c, a, "node-b");
        }).start();
        assertTrue(copied[0].containsAll(List.of("server-key.pk8", "ca-key.pk8", "decoy.secret", "ca.crt")),
                copied[0]::toString);
        assertArrayEquals(a.serverKey.publicKey().getEncoded(), b.serverKey.publicKey().getEncoded());
        byte[] fromA = envelopeFor(a, "nobody-by-that-name");
        byte[] fromB = envelopeFor(b, "nobody-by-that-name");
        assertArrayEquals(fromA, fromB, "the decoy of an unknown name is the same on every node");
    }

    /**
     * A joined node keeps the cluster's TLS root and CA (copied by {@link ClusterJoin}) and issues its HTTPS
     * certificate under them, so one root verifies every node (HAProxy's {@code ca-file}, browsers). It used to make
     * a TLS root of its own at its first start (it had no HTTPS certificate yet), overwriting the copied one.
     */
    @Test
    void aJoinedNodeKeepsTheClustersTlsRootAndIssuesItsHttpsCertificateUnderIt() throws Exception {
        TestCluster a = clusters.in().config(c -> c.clusterNodeId("node-a")).start();
        TestCluster b = clusters.in().config(c -> {
            try {
                ClusterJoin.copySecrets(a.config.dataDir(), onDatabaseOf(c, a, "node-b").build());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return onDatabaseOf(c, a, "node-b");
        }).start();
        Path from = a.config.dataDir();
        Path to = b.config.dataDir();
        for (String name : List.of("tls-root.crt", "tls-ca.crt")) {
            assertArrayEquals(Files.readAllBytes(from.resolve(name)), Files.readAllBytes(to.resolve(name)), name);
        }
        java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        java.security.cert.X509Certificate tlsCa = (java.security.cert.X509Certificate) x509.generateCertificate(
                new java.io.ByteArrayInputStream(Files.readAllBytes(to.resolve("tls-ca.crt"))));
        x509.generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(to.resolve("https.crt"))))
                .verify(tlsCa.getPublicKey());
    }

    /** A joining node refuses to overwrite: --join is for an empty data directory. */
    @Test
    void joiningAnInitialisedDirectoryIsRefused() throws Exception {
        TestCluster a = clusters.in().config(c -> c.clusterNodeId("node-a")).start();
        TestCluster other = clusters.in().config(c -> c.clusterNodeId("node-x")).start();
        IOException e = assertThrows(IOException.class, () -> ClusterJoin.copySecrets(a.config.dataDir(),
                other.config));
        assertTrue(e.getMessage().contains("initialised already"), e.getMessage());
    }

    private static byte[] envelopeFor(TestCluster node, String name) throws Exception {
        try (ChallengedLogin c = ChallengedLogin.tcp(node.address(), InetAddress.getLoopbackAddress(), name,
                node.pinned())) {
            return c.envelope();
        }
    }
}
