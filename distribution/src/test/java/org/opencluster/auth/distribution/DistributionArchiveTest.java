package org.opencluster.auth.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive as a new operator uses it (issue 17 acceptance): unpacked into an empty directory, {@code
 * bin/oca-server init} and {@code run} from there on a fresh data directory and a free port, then {@code bin/oca}
 * enrols the first admin and logs in, every path given relative to the caller's directory. Runs after
 * {@code package} (the surefire execution of this module is bound to {@code integration-test}).
 */
class DistributionArchiveTest {
    private static final Pattern CODE = Pattern.compile("\\n {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\\n");
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]*:(\\d+)");
    private static final long MINUTE = 60;

    @TempDir
    static Path unpacked;

    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("oca.archive"));
        assertTrue(Files.isRegularFile(archive), archive + " (built by package)");
        Result r = run(unpacked, List.of("tar", "xzf", archive.toString()), MINUTE);
        assertEquals(0, r.status(), r.output());
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(home.getFileName().toString().startsWith("oca-"), home.toString());
    }

    record Result(int status, String output, long millis) {
    }

    /** Runs a command in {@code dir}, stdout and stderr together, within a deadline. */
    private static Result run(Path dir, List<String> command, long seconds) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " still running after " + seconds + " s: " + out.getNow(""));
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void theArchiveHoldsLaunchersLibrariesSampleConfigurationCompletionAndUnit() throws Exception {
        assertTrue(Files.isExecutable(home.resolve("bin/oca")));
        assertTrue(Files.isExecutable(home.resolve("bin/oca-server")));
        String sample = Files.readString(home.resolve("conf/oca-server.properties"));
        assertTrue(sample.contains("\n#listen = 127.0.0.1:4700\n"), sample);
        String completion = Files.readString(home.resolve("completion/oca.bash"));
        assertTrue(completion.contains("complete -F") && completion.contains("enrol"), completion);
        String unit = Files.readString(home.resolve("systemd/oca-server.service"));
        for (String hardening : List.of("User=oca", "StateDirectory=oca", "ProtectSystem=strict",
                "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes", "CapabilityBoundingSet=\n",
                "RestrictAddressFamilies=")) {
            assertTrue(unit.contains(hardening), hardening);
        }
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).toList();
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("oca-cli-")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("slf4j-simple-")), jars.toString());
        }
        Path zip = Path.of(System.getProperty("oca.archive.zip"));
        Result listing = run(unpacked, List.of("unzip", "-Z1", zip.toString()), MINUTE);
        assertEquals(0, listing.status(), listing.output());
        assertTrue(listing.output().contains(home.getFileName() + "/bin/oca-server\n"), listing.output());
    }

    @Test
    void theSystemdUnitVerifies() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        // A machine without systemd has nothing to verify the unit with (skipped); under CI=true it must have it.
        Assumptions.assumeTrue(Files.isExecutable(analyze) || "true".equals(System.getenv("CI")),
                "no systemd-analyze");
        Path unit = unpacked.resolve("oca-server.service");
        Files.writeString(unit, Files.readString(home.resolve("systemd/oca-server.service"))
                .replace("/opt/oca", home.toString()));
        Result r = run(unpacked, List.of(analyze.toString(), "verify", unit.toString()), MINUTE);
        assertEquals(0, r.status(), r.output());
        assertEquals("", r.output().strip(), "systemd-analyze verify has remarks");
    }

    @Test
    void anOperatorInitialisesRunsEnrolsAndLogsInFromTheUnpackedArchive() throws Exception {
        Path site = Files.createDirectories(unpacked.resolve("site"));
        Files.writeString(site.resolve("oca-server.properties"), "listen = 127.0.0.1:0\ndata.dir = data\n");
        String server = home.resolve("bin/oca-server").toString();
        Result init = run(site, List.of(server, "init", "--config", "oca-server.properties"), 2 * MINUTE);
        assertEquals(0, init.status(), init.output());
        Matcher code = CODE.matcher(init.output());
        assertTrue(code.find(), init.output());
        assertTrue(Files.isDirectory(site.resolve("data")), "data.dir relative to the configuration file");

        Process running = new ProcessBuilder(server, "run", "--config", "oca-server.properties")
                .directory(site.toFile()).redirectErrorStream(true).start();
        List<String> serverLines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(running.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    serverLines.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the server ended: " + serverLines));
        }, "oca-server-output");
        pump.setDaemon(true);
        pump.start();
        try {
            String address = "127.0.0.1:" + port.get(2, TimeUnit.MINUTES);
            // The user works in a directory of their own: every path below is relative to it.
            Path user = Files.createDirectories(unpacked.resolve("alice-home"));
            Files.writeString(user.resolve("passphrase.txt"), "correct horse battery staple orbit 7\n");
            String oca = home.resolve("bin/oca").toString();
            List<String> who = List.of("-s", address, "-u", "alice", "--passphrase-file", "passphrase.txt",
                    "--known-servers", "known_servers");
            List<String> enrol = new ArrayList<>(List.of(oca, "enrol", "--code", code.group(1), "--accept-new"));
            enrol.addAll(who);
            Result enrolled = run(user, enrol, 3 * MINUTE);
            assertEquals(0, enrolled.status(), enrolled.output());
            assertTrue(enrolled.output().contains("enrolled alice"), enrolled.output());
            assertTrue(Files.isRegularFile(user.resolve("known_servers")), "pinned in the caller's directory");

            List<String> login = new ArrayList<>(List.of(oca, "login"));
            login.addAll(who);
            Result loggedIn = run(user, login, 2 * MINUTE);
            assertEquals(0, loggedIn.status(), loggedIn.output());
            assertTrue(loggedIn.output().contains("logged in as alice; suite "), loggedIn.output());
        } finally {
            running.destroy(); // SIGTERM: the graceful stop ends with 0
            assertTrue(running.waitFor(MINUTE, TimeUnit.SECONDS), "the server outlived SIGTERM by a minute");
            assertEquals(0, running.exitValue(), String.join("\n", serverLines));
        }
    }

    /** Issue 17: {@code oca --help} took 9.7 s when every call asked Maven for the class path; target 1.5 s. */
    @Test
    void helpIsQuickAndNeedsNoBuildTool() throws Exception {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            Result help = run(unpacked, List.of(home.resolve("bin/oca").toString(), "--help"), MINUTE);
            assertEquals(0, help.status(), help.output());
            assertTrue(help.output().startsWith("Usage: oca "), help.output());
            assertFalse(help.output().contains("mvn"), help.output());
            best = Math.min(best, help.millis());
        }
        System.out.println("oca --help: best of 3 runs " + best + " ms");
        // The target is 1.5 s on an idle machine; the bound leaves room for a loaded CI host.
        assertTrue(best < 6_000, "oca --help took " + best + " ms");
    }
}
