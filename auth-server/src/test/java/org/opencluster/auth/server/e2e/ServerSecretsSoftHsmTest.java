package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.boot.ServerKeys;
import org.opencluster.auth.server.boot.ServerSecrets;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.server.testsupport.SoftHsmTokens;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 14 item 3 against real SoftHSM2: with server.key in a token, the OPRF seed and the decoy secret are sealed
 * (AES-256-GCM) by the token's non-extractable key {@code oca-secret-wrap}; before, they were plain files that any
 * copy of the data directory (a backup, a stolen disk) handed over, and with the OPRF seed every harvested
 * registration record could be attacked offline again.
 */
@Tag("softhsm")
class ServerSecretsSoftHsmTest {
    // OCA_TEST_SERVER_PIN in the pom's softhsm-tests execution.
    private static final String PIN = "8765";
    private static final String SEALER = "pkcs11:token=oca-sealer;object=server-key;type=private"
            + "?pin-source=env:OCA_TEST_SERVER_PIN";
    private static final String OTHER = "pkcs11:token=oca-other;object=server-key;type=private"
            + "?pin-source=env:OCA_TEST_SERVER_PIN";
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @RegisterExtension
    static final SoftHsmTokens HSM = SoftHsmTokens.withPkcs11Tool((hsm, tokens) -> {
        for (String token : new String[] {"oca-sealer", "oca-other"}) {
            hsm.initToken(token, SoftHsmTokens.SO_PIN, PIN);
            hsm.keygenWithCertificate(token, PIN, "server-key", "EC:prime256v1", "01");
        }
    });

    @TempDir
    Path dir;

    private ServerConfig config(String name, String serverKey) {
        return ServerConfig.builder().dataDir(dir.resolve(name)).serverKey(serverKey).build();
    }

    private static void init(ServerConfig config) throws Exception {
        try (JdbcAccountStore store = Bootstrap.openStore(config)) {
            new Bootstrap(config, new ServerKeys(HSM.tokens()), Clock.systemUTC(), new SecureRandom()).init(store);
        }
    }

    private static ServerSecrets read(ServerConfig config) throws IOException {
        return ServerSecrets.read(config, new ServerKeys(HSM.tokens()));
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        return HexFormat.of().formatHex(haystack).contains(HexFormat.of().formatHex(needle));
    }

    /**
     * The files hold 68 sealed bytes and not the secrets; the server started on them serves an OPRF login; the
     * same directory without the token (server.key a key file) opens nothing.
     */
    @Test
    void sealedSecretsServeLoginsAndAreUnreadableWithoutTheToken() throws Exception {
        ServerConfig sealed = config("data", SEALER);
        try (TestCluster cluster = new TestCluster(sealed, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                HSM.tokens())) {
            cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
            try (OcaSession s = OcaSession.login(cluster.address(), "alice", cluster.passphrase(PASS),
                    cluster.pinned(), new OcaSession.Options())) {
                assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
            }
        }
        try (ServerSecrets secrets = read(sealed)) {
            for (String name : new String[] {"decoy.secret", "oprf.secret"}) {
                Path file = sealed.dataDir().resolve(name);
                byte[] content = Files.readAllBytes(file);
                assertEquals(68, content.length, name);
                assertEquals("OCASEAL1", new String(content, 0, 8, StandardCharsets.US_ASCII), name);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                byte[] plain = name.equals("oprf.secret") ? secrets.oprfSecret().orElseThrow()
                        : secrets.decoySecret();
                assertEquals(32, plain.length);
                assertFalse(contains(content, plain), name + " does not hold its secret in the clear");
            }
        }
        ServerConfig withoutToken = ServerConfig.builder().dataDir(sealed.dataDir())
                .serverKey("keyfile:" + dir.resolve("some-key.pk8")).build();
        IOException e = assertThrows(IOException.class, () -> read(withoutToken).close());
        assertTrue(e.getMessage().contains("sealed by a token's key"), e.getMessage());
    }

    /** Sealed files copied next to another token's server key (which has a wrap key of its own) do not open. */
    @Test
    void anotherTokensKeyIsRefused() throws Exception {
        ServerConfig sealed = config("a", SEALER);
        init(sealed);
        ServerConfig other = config("b", OTHER);
        init(other); // oca-other now has an oca-secret-wrap key too: the refusal is the GCM tag, not a missing key
        for (String name : new String[] {"decoy.secret", "oprf.secret"}) {
            Files.write(other.dataDir().resolve(name), Files.readAllBytes(sealed.dataDir().resolve(name)));
        }
        IOException e = assertThrows(IOException.class, () -> read(other).close());
        assertTrue(e.getMessage().contains("does not open"), e.getMessage());
    }

    /**
     * A key-file server keeps plain 32-byte owner-only files, read as they are; when its server.key then moves into
     * a token, init seals the same secrets in place (the cluster's secrets do not change).
     */
    @Test
    void fileKeyModeIsUnchangedAndMovingTheKeyIntoATokenSealsTheSameSecrets() throws Exception {
        ServerConfig plain = config("plain", "keyfile:" + dir.resolve("plain-server.pk8"));
        init(plain);
        byte[] decoy;
        byte[] oprf;
        try (ServerSecrets secrets = read(plain)) {
            decoy = secrets.decoySecret();
            oprf = secrets.oprfSecret().orElseThrow();
        }
        assertArrayEquals(decoy, Files.readAllBytes(plain.dataDir().resolve("decoy.secret")));
        assertArrayEquals(oprf, Files.readAllBytes(plain.dataDir().resolve("oprf.secret")));
        assertArrayEquals(decoy, Bootstrap.readDecoySecret(plain));

        ServerConfig moved = ServerConfig.builder().dataDir(plain.dataDir()).serverKey(SEALER).build();
        Files.delete(plain.dataDir().resolve("server.crt")); // it certifies the old key (init says so otherwise)
        init(moved);
        assertEquals(68, Files.size(moved.dataDir().resolve("oprf.secret")));
        try (ServerSecrets secrets = read(moved)) {
            assertArrayEquals(decoy, secrets.decoySecret());
            assertArrayEquals(oprf, secrets.oprfSecret().orElseThrow());
        }
        assertFalse(Files.exists(moved.dataDir().resolve("oprf.secret.sealing")));
    }

    /** One changed byte, or the decoy file put in the OPRF seed's place (the file name is authenticated). */
    @Test
    void aTamperedOrSwappedSealedFileIsRefused() throws Exception {
        ServerConfig sealed = config("data", SEALER);
        init(sealed);
        Path oprf = sealed.dataDir().resolve("oprf.secret");
        byte[] original = Files.readAllBytes(oprf);
        byte[] changed = original.clone();
        changed[40] ^= 0x01;
        Files.write(oprf, changed);
        assertThrows(IOException.class, () -> read(sealed).close(), "a changed byte");
        Files.write(oprf, Files.readAllBytes(sealed.dataDir().resolve("decoy.secret")));
        assertThrows(IOException.class, () -> read(sealed).close(), "the decoy secret as the OPRF seed");
        Files.write(oprf, Arrays.copyOf(original, 60));
        assertThrows(IOException.class, () -> read(sealed).close(), "cut short");
        Files.write(oprf, original);
        read(sealed).close();
    }

    /**
     * {@code init --join} with the server key in the HSM the nodes share: the new node gets the sealed files as
     * they are (never the secrets in the clear) and opens the same secrets with the same token.
     */
    @Test
    void aJoiningNodeCarriesTheSealedFilesAndOpensTheSameSecrets() throws Exception {
        ServerConfig first = config("node1", SEALER);
        init(first);
        ServerConfig second = config("node2", SEALER);
        assertTrue(org.opencluster.auth.server.boot.ClusterJoin.copySecrets(first.dataDir(), second)
                .containsAll(java.util.List.of("decoy.secret", "oprf.secret")));
        for (String name : new String[] {"decoy.secret", "oprf.secret"}) {
            assertArrayEquals(Files.readAllBytes(first.dataDir().resolve(name)),
                    Files.readAllBytes(second.dataDir().resolve(name)), name + " copied sealed, as it is");
        }
        init(second);
        try (ServerSecrets one = read(first); ServerSecrets two = read(second)) {
            assertArrayEquals(one.decoySecret(), two.decoySecret());
            assertArrayEquals(one.oprfSecret().orElseThrow(), two.oprfSecret().orElseThrow());
        }
    }
}
