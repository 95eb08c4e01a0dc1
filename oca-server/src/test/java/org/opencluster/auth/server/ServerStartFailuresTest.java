package org.opencluster.auth.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15 item 7, the "malformed config" row: {@code oca-server run} on a configuration that cannot work ends with
 * one line on stderr (no stack trace), an exit code per class of mistake, and nothing created. The old code printed
 * a clear first line followed by a 13-87-line stack trace (exit 1 from picocli for every class), left a freshly
 * bootstrapped data directory behind when the address was in use, created a missing directory (outside the data
 * directory) for a {@code keyfile:} key, and let the last of two equal keys silently win.
 */
class ServerStartFailuresTest {
    @TempDir
    Path dir;

    /** What one {@code oca-server} invocation printed on stderr (its own writer and System.err) and returned. */
    private static final java.util.regex.Pattern JAZZER = java.util.regex.Pattern.compile(
            "INFO: Instrumented \\S+ with custom hooks only .*");

    private record Outcome(int exitCode, String stderr) {
        /** The non-blank lines, without the fuzzing agent's (a full test run loads Jazzer into this JVM). */
        List<String> lines() {
            return stderr.lines().filter(l -> !l.isBlank() && !JAZZER.matcher(l).matches()).toList();
        }
    }

    private Outcome oca(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            StringWriter err = new StringWriter();
            ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
            PrintStream original = System.err;
            System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
            try {
                var cl = AuthServerMain.commandLine();
                cl.setErr(new PrintWriter(err, true));
                int code = cl.execute(args);
                return new Outcome(code, err + systemErr.toString(StandardCharsets.UTF_8));
            } finally {
                System.setErr(original);
            }
        }, "a configuration that must be refused started a server");
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path config(String content) throws IOException {
        return Files.writeString(dir.resolve("oca-server.properties"), "data.dir=data\n" + content);
    }

    /** One line naming the problem, the exit code, no stack trace, and no data directory made. */
    private String assertRefused(int exitCode, Outcome o) {
        assertEquals(exitCode, o.exitCode(), o.stderr());
        assertEquals(1, o.lines().size(), () -> "not one line:\n" + o.stderr());
        assertFalse(o.stderr().contains("\tat "), o.stderr());
        assertTrue(o.lines().get(0).startsWith("oca-server: "), o.stderr());
        assertFalse(Files.exists(data()), "the failed start created the data directory");
        return o.lines().get(0);
    }

    static Stream<Arguments> malformed() {
        List<Arguments> cases = new ArrayList<>();
        for (String[] c : new String[][] {
                {"an unknown key", "lissten=127.0.0.1:4700", "lissten"},
                {"a port out of range", "listen=127.0.0.1:70000", "70000"},
                {"an address without port", "listen=127.0.0.1", "listen"},
                {"a port that is not a number", "listen=127.0.0.1:http", "listen"},
                {"a duration that is not ISO-8601", "session.idle=5m", "session.idle"},
                {"a negative duration", "login.lockout=-PT5M", "login.lockout"},
                {"a count of zero", "connections.max=0", "connections.max"},
                {"a count that is not a number", "login.max-account-failures=five", "login.max-account-failures"},
                {"a malformed unicode escape", "db.password=\\u00zz", "line 2"},
                {"a key spec that is neither keyfile nor pkcs11", "server.key=/etc/oca/key.pk8", "server.key"},
                {"an empty keyfile path", "ca.key=keyfile:", "ca.key"},
                {"a relative keyfile leaving the data directory", "server.key=keyfile:../server-key.pk8",
                        "leaves the data directory"},
                {"an unknown hello mode", "hello.cookies=sometimes", "hello.cookies"},
                {"a bad https name", "https.names=*.example.com", "https.names"},
                {"a bad origin", "https.origins=ftp://x", "https.origins"},
                {"an unknown frame padding", "frames.padding=7", "frames.padding"},
                {"an unknown key type", "keys.allowed=dsa", "keys.allowed"},
                {"a source prefix out of range", "source.ipv4-prefix=33", "source.ipv4-prefix"},
                {"preauth total below the per-connection cap",
                        "preauth.max-bytes-per-connection=1000\npreauth.max-bytes=10", "preauth.max-bytes"},
                {"an empty relying party", "webauthn.rp-id=", "webauthn.rp-id"},
                {"a key set twice", "session.idle=PT1M\nsession.idle=PT2M", "line 3"},
        }) {
            cases.add(Arguments.of(c[0], c[1], c[2]));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedConfigurationIsOneLineAndExit78(String what, String content, String named) throws IOException {
        Path file = config(content + "\n");
        String line = assertRefused(78, oca("run", "--config", file.toString()));
        assertTrue(line.contains(named), () -> what + ": the line does not name '" + named + "': " + line);
    }

    @Test
    void aKeySetTwiceNamesBothLines() throws IOException {
        Path file = config("listen=127.0.0.1:4700\n# a comment\nlisten = 127.0.0.1:4701\n");
        String line = assertRefused(78, oca("run", "--config", file.toString()));
        assertTrue(line.contains("line 4") && line.contains("line 2") && line.contains("'listen'"), line);
    }

    @Test
    void aMissingConfigurationFileIsExit78() {
        String line = assertRefused(78, oca("run", "--config", dir.resolve("nope.properties").toString()));
        assertTrue(line.contains("nope.properties"), line);
    }

    @Test
    void aBadCommandLineIsExit64() {
        Outcome o = oca("run", "--no-such-option");
        assertEquals(64, o.exitCode(), o.stderr());
        assertFalse(o.stderr().contains("\tat "), o.stderr());
    }

    /** The old code bootstrapped the data directory (keys, certificates, database) and then failed to bind. */
    @Test
    void anAddressInUseIsExit69AndLeavesNoDataDirectory() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = config("listen=127.0.0.1:" + taken.getLocalPort() + "\n");
            String line = assertRefused(69, oca("run", "--config", file.toString()));
            assertTrue(line.contains("127.0.0.1:" + taken.getLocalPort()) && line.contains("listen"), line);
        }
    }

    @Test
    void anHttpsAddressInUseIsExit69AndLeavesNoDataDirectory() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = config("listen=127.0.0.1:0\nhttps.listen=127.0.0.1:" + taken.getLocalPort() + "\n");
            String line = assertRefused(69, oca("run", "--config", file.toString()));
            assertTrue(line.contains("https.listen"), line);
        }
    }

    /** The old code created {@code missing/} (outside the data directory) to write the key into. */
    @Test
    void aKeyFileInAMissingDirectoryIsRefusedAndTheDirectoryNotCreated() throws IOException {
        Path missing = dir.resolve("missing");
        Path file = config("listen=127.0.0.1:0\nserver.key=keyfile:" + missing.resolve("server-key.pk8") + "\n");
        String line = assertRefused(78, oca("run", "--config", file.toString()));
        assertTrue(line.contains(missing.toString()) && line.contains("server.key"), line);
        assertFalse(Files.exists(missing), "the key's directory was created");
    }

    /** A data directory's missing parents are made with it, and removed with it when the start fails. */
    @Test
    void aStartThatFailsHalfWayRemovesTheParentsItMadeToo() {
        org.opencluster.auth.server.config.ServerConfig c = org.opencluster.auth.server.config.ServerConfig.builder()
                .dataDir(dir.resolve("no/such/data")).listen(new java.net.InetSocketAddress("127.0.0.1", 0))
                .serverKey("pkcs11:token=no-such-token").build();
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> AuthServer.builder(c)
                .tokens(org.opencluster.auth.token.pkcs11.Pkcs11Tokens.builder().build()).start().close());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    /**
     * A failure only found while starting (here: the server key's token does not exist, after the CA key was made)
     * removes the data directory that start made, so the next start is a first start again.
     */
    @Test
    void aStartThatFailsHalfWayRemovesTheDataDirectoryItMade() {
        org.opencluster.auth.server.config.ServerConfig c = org.opencluster.auth.server.config.ServerConfig.builder()
                .dataDir(data()).listen(new java.net.InetSocketAddress("127.0.0.1", 0))
                .serverKey("pkcs11:token=no-such-token").build();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> AuthServer.builder(c)
                .tokens(org.opencluster.auth.token.pkcs11.Pkcs11Tokens.builder().build()).start().close());
        assertFalse(Files.exists(data()), () -> "left behind after " + e);
    }

    /**
     * {@code oca-server init} that fails half-way (a server key on a token that does not exist, after the database
     * and the CA key were made; a database that cannot be reached, after the data directory was made) removes the
     * data directory it made. The old code cleaned up after a failed {@code run} only (through
     * {@link AuthServer#start}); a failed init left the directory, keys and database behind.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "a server key that cannot be opened | server.key=pkcs11:token=no-such-token",
            "a database that cannot be reached  | db.url=jdbc:h2:tcp://127.0.0.1:1/nope;db.connect-timeout=PT1S"})
    void anInitThatFailsHalfWayRemovesTheDataDirectoryItMade(String what, String content) throws IOException {
        Outcome o = oca("init", "--config", config(content.replace(';', '\n') + "\n").toString());
        assertTrue(o.exitCode() != 0, () -> what + ": init succeeded:\n" + o.stderr());
        assertFalse(Files.exists(data()), () -> what + ": the data directory was left behind:\n" + o.stderr());
    }

    @Test
    void aStartThatFailsHalfWayKeepsADataDirectoryThatExisted() throws IOException {
        Files.createDirectory(data(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwx------")));
        org.opencluster.auth.server.config.ServerConfig c = org.opencluster.auth.server.config.ServerConfig.builder()
                .dataDir(data()).listen(new java.net.InetSocketAddress("127.0.0.1", 0))
                .serverKey("pkcs11:token=no-such-token").build();
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> AuthServer.builder(c)
                .tokens(org.opencluster.auth.token.pkcs11.Pkcs11Tokens.builder().build()).start().close());
        assertTrue(Files.isDirectory(data()));
    }

    @Test
    void aDataDirectoryOthersCanReadIsExit77() throws IOException {
        Files.createDirectory(data(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwxr-xr-x")));
        Files.setPosixFilePermissions(data(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Outcome o = oca("run", "--config", config("listen=127.0.0.1:0\n").toString());
        assertEquals(77, o.exitCode(), o.stderr());
        assertEquals(1, o.lines().size(), o.stderr());
        assertTrue(o.stderr().contains("chmod 700"), o.stderr());
        assertEquals(List.of(), Files.list(data()).toList(), "nothing was created in it");
    }
}
