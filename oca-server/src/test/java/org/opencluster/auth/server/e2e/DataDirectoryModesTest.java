package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.AuthServerMain;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 13 item 1: the data directory is 0700 and every file in it 0600, the embedded database's included, and a
 * server refuses to start on a directory or file its group or others may access (as OpenSSH's StrictModes).
 */
class DataDirectoryModesTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static Map<String, String> modes(Path data) throws IOException {
        Map<String, String> out = new TreeMap<>();
        out.put(".", mode(data));
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (!p.equals(data)) {
                    out.put(data.relativize(p).toString(), mode(p));
                }
            }
        }
        return out;
    }

    /** A data directory made by {@code oca-server init}, and a configuration that serves it on a free port. */
    private static ServerConfig initialised(Path data) {
        assertEquals(0, AuthServerMain.commandLine().execute("init", "--data", data.toString()));
        return ServerConfig.builder().dataDir(data).listen(new java.net.InetSocketAddress("127.0.0.1", 0)).build();
    }

    private static void startAndStop(ServerConfig config) throws Exception {
        AuthServer.start(config, Pkcs11Tokens.builder().build(), Clock.systemUTC(), new SecureRandom(),
                ProofKind.KEY_AGREEMENT).close();
    }

    @Test
    void theDataDirectoryAndEveryFileInItAreOwnerOnlyAfterInitRunLoginsAndShutdown() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, AuthServerMain.commandLine().execute("init", "--data", data.toString()));
        try (TestCluster c = new TestCluster(ServerConfig.defaults(data), ProofKind.KEY_AGREEMENT,
                LoginThrottle.builder().build(), Pkcs11Tokens.builder().build())) {
            c.person("alice", "alice pass".toCharArray(), Account.Role.USER, KeyType.EC_P256);
            for (int i = 0; i < 3; i++) {
                try (OcaSession s = OcaSession.login(c.address(), "alice", c.passphrase("alice pass".toCharArray()),
                        c.pinned(), new OcaSession.Options())) {
                    assertEquals(CoreCommands.PONG.id(), s.exec(RispCommand.none(CoreCommands.PING.id())).get(0).id());
                }
            }
        }
        Map<String, String> modes = modes(data);
        assertTrue(modes.containsKey("oca.mv.db") && modes.containsKey("decoy.secret")
                && modes.containsKey("ca-key.pk8") && modes.containsKey("server.crt"), modes.toString());
        modes.forEach((name, mode) -> assertEquals(name.equals(".") ? "rwx------" : "rw-------", mode,
                name + " in " + modes));
    }

    @Test
    void aDatabaseFileSecretOrDirectoryOthersMayAccessIsRefusedAtStartNamingItAndTheFix() throws Exception {
        Path data = dir.resolve("data");
        ServerConfig config = initialised(data);
        for (String[] shared : new String[][] {{"oca.mv.db", "rw-r--r--", "chmod 600"},
                {"decoy.secret", "rw-r-----", "chmod 600"}, {"server.crt", "rw-rw-r--", "chmod 600"},
                {".", "rwxr-xr-x", "chmod 700"}, {".", "rwx-w----", "chmod 700"}}) {
            Path p = data.resolve(shared[0]).normalize();
            String before = mode(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(shared[1]));
            IOException e = assertThrows(IOException.class, () -> startAndStop(config), shared[0] + " " + shared[1]);
            assertTrue(e.getMessage().contains(p.toAbsolutePath().toString())
                    && e.getMessage().contains(shared[2] + " " + p.toAbsolutePath()), e.getMessage());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(before));
        }
        startAndStop(config);
        assertEquals("rwx------", mode(data));
        Path link = Files.createSymbolicLink(dir.resolve("data-link"), data);
        startAndStop(config.toBuilder().dataDir(link).build()); // the link's own mode (0777) does not count
    }

    /**
     * StrictModes' other half: a directory or secret owned by another user (here {@code nobody}) is refused, however
     * owner-only its mode, naming the file and the {@code chown} that fixes it; owned by root it is accepted. Tests run
     * as root in CI; as another user {@code setOwner} is not permitted and the test is skipped (outside CI).
     */
    @Test
    void aDataDirectoryOrSecretOwnedByAnotherUserIsRefusedAtStartNamingItAndTheChown() throws Exception {
        Path data = dir.resolve("data");
        ServerConfig config = initialised(data);
        UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal nobody = users.lookupPrincipalByName("nobody");
        UserPrincipal us = Files.getOwner(data);
        try {
            Files.setOwner(data.resolve("decoy.secret"), nobody);
            Files.setOwner(data.resolve("decoy.secret"), us);
        } catch (java.nio.file.FileSystemException e) {
            // CI runs the tests as root: there a missing permission is a failure, not a skip.
            assertTrue(!"true".equals(System.getenv("CI")), "changing a file's owner needs root: " + e);
            Assumptions.abort("changing a file's owner needs root: " + e);
        }
        for (String foreign : new String[] {"oca.mv.db", "decoy.secret", "ca-key.pk8", "server.crt", "."}) {
            Path p = data.resolve(foreign).normalize();
            Files.setOwner(p, nobody);
            try {
                IOException e = assertThrows(IOException.class, () -> startAndStop(config), foreign);
                assertTrue(e.getMessage().contains(p.toAbsolutePath() + " is owned by nobody")
                        && e.getMessage().contains("chown " + us.getName() + " " + p.toAbsolutePath()),
                        e.getMessage());
            } finally {
                Files.setOwner(p, us);
            }
        }
        // A key file outside the data directory (keyfile:PATH) is held to the same rule.
        Path outside = dir.resolve("keys");
        Files.createDirectory(outside);
        Path serverKey = Files.copy(data.resolve("server-key.pk8"), outside.resolve("server-key.pk8"));
        ServerConfig outsideKey = config.toBuilder().serverKey("keyfile:" + serverKey).build();
        Files.setOwner(serverKey, nobody);
        IOException e = assertThrows(IOException.class, () -> startAndStop(outsideKey));
        assertTrue(e.getMessage().contains(serverKey + " is owned by nobody"), e.getMessage());
        Files.setOwner(serverKey, us);
        startAndStop(outsideKey);
    }
}
