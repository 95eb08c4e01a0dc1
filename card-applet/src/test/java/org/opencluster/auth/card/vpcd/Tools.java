package org.opencluster.auth.card.vpcd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the OpenSC / Yubico command-line tools the card tests use as independent peers. */
final class Tools {
    static final Path OPENSC_PKCS11 = findOpenScModule();

    private Tools() {
    }

    private static Path findOpenScModule() {
        for (String p : new String[] {"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
                "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so", "/usr/lib64/opensc-pkcs11.so",
                "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"}) {
            if (Files.isRegularFile(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }

    /** Runs {@code command} (stdout and stderr merged), failing the test if it takes longer than 30 s. */
    static Result run(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("card-tool", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static Result pkcs11Tool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("pkcs11-tool", "--module", OPENSC_PKCS11.toString()));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }
}
