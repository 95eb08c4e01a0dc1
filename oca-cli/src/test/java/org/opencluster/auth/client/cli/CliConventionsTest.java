package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17 item 4, the classes of mistake a person makes before any server is involved: each ends with one line on
 * stderr (no stack trace, no usage screen) and its own exit code. The old CLI printed a Java stack trace and exited 1
 * ("the server refused") for {@code -s localhost:abc}, {@code --slot 9Z}, an empty or 300-byte {@code -u}, and a
 * raw {@code NoSuchFileException} for a missing {@code --passphrase-file}.
 */
class CliConventionsTest extends CliRunTest {
    /** A port nothing listens on: bound, then closed. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private List<String> login(String server, String user, String... more) {
        List<String> args = new ArrayList<>(List.of("login", "-s", server, "-u", user, "--known-servers",
                dir.resolve("known_servers").toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** Old: NumberFormatException out of OcaCli.parse, exit 1. */
    @ParameterizedTest
    @ValueSource(strings = {"localhost:abc", "localhost", ":4700", "localhost:0", "localhost:65536", "::1:4700"})
    void aMalformedServerAddressIsAUsageError(String server) {
        assertEquals(CliErrors.USAGE, oca(login(server, "alice").toArray(String[]::new)));
        assertOneLine("host:port");
    }

    @Test
    void anIpv6ServerAddressInBracketsIsAccepted() throws Exception {
        int port = closedPort();
        assertEquals(OcaCli.IO, oca(login("[::1]:" + port, "alice", "--passphrase-file",
                Files.writeString(dir.resolve("p"), "x").toString()).toArray(String[]::new)), err.toString());
    }

    /** Old: IllegalArgumentException from PivSlot.fromHex with its stack trace, exit 1. */
    @Test
    void anUnknownPivSlotIsAUsageError() {
        assertEquals(CliErrors.USAGE, oca(login("localhost:4700", "alice", "--card", "--slot", "9Z")
                .toArray(String[]::new)));
        assertOneLine("9A, 9C, 9D or 9E");
    }

    @Test
    void anUnknownCardKeyAlgorithmIsAUsageError() {
        assertEquals(CliErrors.USAGE, oca("enrol", "-s", "localhost:4700", "-u", "alice", "--code", "X", "--card",
                "--card-key", "ECCP521"));
        assertOneLine("ECCP256, ECCP384 or RSA2048");
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "0x10000", "-1"})
    void aMalformedSuiteIdIsAUsageError(String id) {
        assertEquals(CliErrors.USAGE, oca("admin", "disable-suite", id, "-s", "localhost:4700", "-u", "root"));
        assertOneLine("suite id");
    }

    /** Old: a stack trace for the empty name, and the 300-byte one reached the server. */
    @Test
    void anEmptyOrOverlongAccountNameIsAUsageError() {
        assertEquals(CliErrors.USAGE, oca(login("localhost:4700", "").toArray(String[]::new)));
        assertOneLine("--user");
        err.getBuffer().setLength(0);
        assertEquals(CliErrors.USAGE, oca(login("localhost:4700", "a".repeat(300)).toArray(String[]::new)));
        assertOneLine("--user");
    }

    @Test
    void anUnknownOptionIsOneLineNotTheUsageScreen() {
        assertEquals(CliErrors.USAGE, oca("login", "--no-such-option"));
        assertOneLine("oca login --help");
    }

    /** Old: a raw NoSuchFileException; now exit 78 before anything connects. */
    @Test
    void aMissingPassphraseFileIsAConfigurationErrorBeforeConnecting() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            server.setSoTimeout(300);
            assertEquals(CliErrors.CONFIG, oca(login("127.0.0.1:" + server.getLocalPort(), "alice",
                    "--passphrase-file", "no-such-file").toArray(String[]::new)));
            assertOneLine("--passphrase-file: cannot read " + Path.of("no-such-file").toAbsolutePath());
            assertThrowsTimeout(server);
        }
    }

    @Test
    void aMissingClusterCaFileIsAConfigurationError() {
        assertEquals(CliErrors.CONFIG, oca(login("127.0.0.1:4700", "alice", "--ca", dir.resolve("ca.crt")
                .toString()).toArray(String[]::new)));
        assertOneLine("--ca: cannot read");
    }

    @Test
    void anUnreachableServerIsAnIoError() throws Exception {
        assertEquals(OcaCli.IO, oca(login("127.0.0.1:" + closedPort(), "alice", "--passphrase-file",
                Files.writeString(dir.resolve("p"), "x").toString()).toArray(String[]::new)));
        assertOneLine("connection failed");
    }

    @Test
    void theHelpListsTheExitCodes() {
        assertEquals(0, oca("--help"));
        String help = out.toString().replaceAll(" +", " ");
        for (String line : List.of("Exit codes:", " 0 success", " 1 the server refused", " 2 usage",
                " 3 login failed", " 4 the server's key", " 5 I/O", " 78 a file named")) {
            assertTrue(help.contains(line), line + " in " + help);
        }
    }

    @Test
    void jsonTextIsEscaped() {
        Map<String, Object> o = JsonOutput.object();
        o.put("text", "a\"b\\c\nd\u0001");
        o.put("n", 7L);
        o.put("list", List.of(true, "x"));
        o.put("none", null);
        assertEquals("{\"text\":\"a\\\"b\\\\c\\u000ad\\u0001\",\"n\":7,\"list\":[true,\"x\"],\"none\":null}",
                JsonOutput.encode(o));
    }

    @Test
    void jsonOutputKeepsStrayTextAsLines() {
        StringWriter target = new StringWriter();
        JsonOutput json = JsonOutput.to(new PrintWriter(target));
        json.put("user", "alice");
        json.println("a text line");
        json.finish();
        assertEquals("{\"user\":\"alice\",\"lines\":[\"a text line\"]}" + System.lineSeparator(), target.toString());
    }

    @Test
    void aSlowStepPrintsOneProgressLineAndAQuickOneNone() throws Exception {
        StringWriter progress = new StringWriter();
        try (Progress p = Progress.of(new PrintWriter(progress, true), "sealing", 50)) {
            Thread.sleep(400);
        }
        assertEquals("sealing..." + System.lineSeparator(), progress.toString());
        StringWriter quick = new StringWriter();
        try (Progress p = Progress.of(new PrintWriter(quick, true), "sealing", 5_000)) {
            Thread.sleep(10);
        }
        Thread.sleep(50);
        assertEquals("", quick.toString());
    }
}
