package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.AuthServerMain;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.dispatch.Caller;
import org.opencluster.auth.server.limit.LoginThrottle;
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

    @Test
    void theDataDirectoryAndEveryFileInItAreOwnerOnlyAfterInitRunLoginsAndShutdown() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, AuthServerMain.commandLine().execute("init", "--data", data.toString()));
        try (TestCluster c = new TestCluster(ServerConfig.defaults(data), ProofKind.KEY_AGREEMENT,
                LoginThrottle.builder().build(), Pkcs11Tokens.builder().build())) {
            c.person("alice", "alice pass".toCharArray(), Caller.Role.USER, KeyType.EC_P256);
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
        assertEquals(0, AuthServerMain.commandLine().execute("init", "--data", data.toString()));
        ServerConfig config = ServerConfig.builder().dataDir(data)
                .listen(new java.net.InetSocketAddress("127.0.0.1", 0)).build();
        for (String[] shared : new String[][] {{"oca.mv.db", "rw-r--r--", "chmod 600"},
                {"decoy.secret", "rw-r-----", "chmod 600"}, {"server.crt", "rw-rw-r--", "chmod 600"},
                {".", "rwxr-xr-x", "chmod 700"}, {".", "rwx-w----", "chmod 700"}}) {
            Path p = data.resolve(shared[0]).normalize();
            String before = mode(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(shared[1]));
            IOException e = assertThrows(IOException.class, () -> AuthServer.start(config,
                    Pkcs11Tokens.builder().build(), Clock.systemUTC(), new SecureRandom(), ProofKind.KEY_AGREEMENT)
                    .close(), shared[0] + " " + shared[1]);
            assertTrue(e.getMessage().contains(p.toAbsolutePath().toString())
                    && e.getMessage().contains(shared[2] + " " + p.toAbsolutePath()), e.getMessage());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(before));
        }
        AuthServer.start(config, Pkcs11Tokens.builder().build(), Clock.systemUTC(), new SecureRandom(),
                ProofKind.KEY_AGREEMENT).close();
        assertEquals("rwx------", mode(data));
        Path link = Files.createSymbolicLink(dir.resolve("data-link"), data);
        AuthServer.start(config.toBuilder().dataDir(link).build(), Pkcs11Tokens.builder().build(), Clock.systemUTC(),
                new SecureRandom(), ProofKind.KEY_AGREEMENT).close(); // the link's own mode (0777) does not count
    }
}
