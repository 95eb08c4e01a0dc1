package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.cli.OcaCli;
import org.opencluster.auth.client.trust.KnownServers;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/** The {@code oca} CLI against a real server: what a person types, and the exit codes scripts rely on. */
class CliEndToEndTest {
    @TempDir
    Path dir;
    private TestCluster cluster;
    private Path pass;
    private Path known;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        cluster.person("alice", "pw-alice".toCharArray(), Account.Role.USER, KeyType.EC_P256);
        cluster.person("root", "pw-root".toCharArray(), Account.Role.ADMIN, KeyType.ED25519);
        pass = dir.resolve("pass");
        known = dir.resolve("known_servers");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private int oca(String user, String password, String... args) throws Exception {
        Files.writeString(pass, password + "\n");
        String server = "127.0.0.1:" + cluster.address().getPort();
        String[] full = new String[args.length + 9];
        System.arraycopy(args, 0, full, 0, args.length);
        System.arraycopy(new String[] {"-s", server, "-u", user, "--passphrase-file", pass.toString(),
            "--known-servers", known.toString(), "--accept-new"}, 0, full, args.length, 9);
        return OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    @Test
    void loginExecAndAdminWithExitCodes() throws Exception {
        assertEquals(0, oca("alice", "pw-alice", "login"), err.toString());
        assertTrue(out.toString().contains("logged in as alice; suite OCA_"), out.toString());
        assertTrue(err.toString().contains("First contact") && Files.readString(known).contains("SHA256:"));
        Path deviceTokens = known.resolveSibling("device_tokens");
        assertTrue(Files.readString(deviceTokens).contains("SHA256:"), "the CLI keeps a device token next to the pins");

        assertEquals(0, oca("alice", "pw-alice", "exec", "PING"));
        assertTrue(out.toString().contains("PONG"));
        assertEquals(0, oca("alice", "pw-alice", "exec", "echo", "hello there"));
        assertTrue(out.toString().contains("ECHO_REPLY hello there"), out.toString());

        assertEquals(1, oca("alice", "pw-alice", "admin", "suites"), "refused: exit 1");
        assertTrue(err.toString().contains("FORBIDDEN"), err.toString());
        assertEquals(0, oca("root", "pw-root", "admin", "disable-suite", "0x0101"), err.toString());
        assertTrue(out.toString().contains("version=2"), out.toString());
        assertEquals(0, oca("alice", "pw-alice", "suites"));
        assertTrue(!out.toString().split("policy version 2")[1].contains("0x0101"), out.toString());

        assertEquals(3, oca("alice", "not her passphrase", "login"), "wrong passphrase: exit 3");
        assertTrue(err.toString().contains("passphrase is wrong"), err.toString());
    }

    @Test
    void aChangedServerKeyIsRefusedLoudlyWithExit4() throws Exception {
        String server = "127.0.0.1:" + cluster.address().getPort();
        new KnownServers(known).pin(server, new byte[] {1, 2, 3});
        assertEquals(4, oca("alice", "pw-alice", "login"));
        assertTrue(err.toString().contains("HAS CHANGED"), err.toString());
    }

    /**
     * Issue 13 item 12 in the CLI: {@code --ca ca.crt} trusts the server by its cluster-CA server certificate (no
     * pin, no question), and refuses a server presenting a person's certificate of the same CA (exit 4).
     */
    @Test
    void loginWithTheClusterCaTrustsTheServerCertificateAndRefusesAPersonsCertificateAsTheServers() throws Exception {
        Path caFile = cluster.config.dataDir().resolve("ca.crt");
        assertEquals(0, oca("alice", "pw-alice", "login", "--ca", caFile.toString()), err.toString());
        assertTrue(out.toString().contains("logged in as alice"), out.toString());
        assertTrue(!Files.exists(known), "with --ca nothing is pinned");

        // The same server key, certified by the same CA, but as a person (extended key usage clientAuth only).
        java.security.cert.X509Certificate asPerson = cluster.ca.issue("127.0.0.1",
                org.opencluster.auth.server.ca.ClusterCa.Subject.PERSON, cluster.serverCert.getPublicKey(),
                java.time.Duration.ofDays(30));
        cluster.close();
        Files.write(cluster.config.dataDir().resolve("server.crt"), asPerson.getEncoded()); // stays 0600
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        assertEquals(asPerson, cluster.serverCert);
        assertEquals(4, oca("alice", "pw-alice", "login", "--ca", caFile.toString()), err.toString());
        assertTrue(err.toString().contains("serverAuth"), err.toString());

        Path notACertificate = Files.writeString(dir.resolve("not-a-ca.crt"), "hello");
        assertEquals(4, oca("alice", "pw-alice", "login", "--ca", notACertificate.toString()), err.toString());
        assertTrue(err.toString().contains("cannot read the cluster CA certificate " + notACertificate),
                err.toString());
    }

    @Test
    void theHelpNamesTheClusterCaOption() {
        assertEquals(0, OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "login", "--help"));
        assertTrue(out.toString().contains("--ca=FILE") && out.toString().contains("serverAuth"), out.toString());
    }
}
