package org.opencluster.auth.softhsm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * An isolated SoftHSM2 token directory for one test class (or one demo run), filled through the
 * {@code softhsm-token} script that ships in this jar.
 *
 * <p><b>Why one JVM per test class.</b> SoftHSM2 reads {@code SOFTHSM2_CONF} from the process environment and scans
 * its token directory once, at {@code C_Initialize}; tokens created later by {@code softhsm2-util} in another process
 * stay invisible to it, and SunPKCS11 never finalizes a module. A JVM therefore gets exactly one token directory for
 * its life. Modules whose tests use this fixture configure surefire with {@code reuseForks=false} and
 * {@code SOFTHSM2_CONF=${project.build.directory}/softhsm/fork-${surefire.forkNumber}/softhsm2.conf}; the fixture
 * rewrites that per-fork file to point at a fresh directory before the JVM touches SoftHSM2, and refuses a second
 * test class in the same JVM instead of silently sharing state. Create every token before the first PKCS#11 use
 * (objects such as keys may be added later: SoftHSM2 re-reads objects from disk).
 */
public final class SoftHsmFixture implements AutoCloseable {
    private static final List<String> MODULE_CANDIDATES = List.of(
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib64/pkcs11/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so");
    private static final AtomicReference<String> CLAIMED_BY = new AtomicReference<>();

    private final Path module;
    private final Path conf;
    private final Path dir;
    private final Path script;

    private SoftHsmFixture(Path module, Path conf, Path dir, Path script) {
        this.module = module;
        this.conf = conf;
        this.dir = dir;
        this.script = script;
    }

    /** The SoftHSM2 PKCS#11 module, if installed. */
    public static Optional<Path> findModule() {
        return MODULE_CANDIDATES.stream().map(Path::of).filter(Files::isReadable).findFirst();
    }

    /** SoftHSM2 library and {@code softhsm2-util} are installed. */
    public static boolean softHsmInstalled() {
        return findModule().isPresent() && onPath("softhsm2-util");
    }

    /** OpenSC's {@code pkcs11-tool} is installed. */
    public static boolean pkcs11ToolInstalled() {
        return onPath("pkcs11-tool");
    }

    private static boolean onPath(String tool) {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin:/bin");
        return Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /**
     * Claims this JVM's SoftHSM2 for {@code owner} and gives it a fresh token directory.
     *
     * @throws IllegalStateException when SOFTHSM2_CONF is not set to a per-fork file, or another class already
     *                               claimed this JVM
     */
    public static SoftHsmFixture forTestClass(Class<?> owner) throws IOException {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank() || conf.startsWith("/etc/")) {
            throw new IllegalStateException("SOFTHSM2_CONF must name a per-fork file (see SoftHsmFixture javadoc: "
                    + "surefire environmentVariables + reuseForks=false); it is " + conf);
        }
        if (!CLAIMED_BY.compareAndSet(null, owner.getName())) {
            // Once SoftHSM2 is initialised it keeps the directory it saw; a second fixture would be invisible.
            throw new IllegalStateException("SoftHSM2 in this JVM already belongs to " + CLAIMED_BY.get()
                    + "; create one fixture per JVM and run each test class in its own JVM (surefire reuseForks=false)");
        }
        Path module = findModule().orElseThrow(() -> new IllegalStateException("libsofthsm2.so not found"));
        Path confPath = Path.of(conf).toAbsolutePath();
        Files.createDirectories(confPath.getParent());
        Path dir = Files.createTempDirectory(confPath.getParent(), owner.getSimpleName() + "-");
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        Path script = extract("softhsm-token", dir);
        String template = new String(resource("softhsm2.conf.template").readAllBytes(), StandardCharsets.UTF_8);
        Path tmp = confPath.resolveSibling(confPath.getFileName() + ".tmp");
        Files.writeString(tmp, template.replace("@TOKENDIR@", tokens.toString()));
        Files.move(tmp, confPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new SoftHsmFixture(module, confPath, dir, script);
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = SoftHsmFixture.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " missing from the softhsm-config jar");
        }
        return in;
    }

    private static Path extract(String name, Path dir) throws IOException {
        Path out = dir.resolve(name);
        try (InputStream in = resource(name)) {
            Files.copy(in, out);
        }
        Files.writeString(dir.resolve("softhsm2.conf.template"),
                new String(resource("softhsm2.conf.template").readAllBytes(), StandardCharsets.UTF_8));
        out.toFile().setExecutable(true, true);
        return out;
    }

    public Path module() {
        return module;
    }

    public Path conf() {
        return conf;
    }

    /** The token directory SoftHSM2 stores this fixture's tokens in (one subdirectory per token). */
    public Path tokenDir() {
        return dir.resolve("tokens");
    }

    /** Initialises a token in the next free slot and returns its serial number. */
    public String initToken(String label, String soPin, String userPin) throws IOException {
        String out = run(List.of("bash", script.toString(), "init-token", conf.toString(), label),
                Map.of("SOFTHSM_SO_PIN", soPin, "SOFTHSM_USER_PIN", userPin)).trim();
        if (!out.matches("[0-9a-f]{16}")) {
            throw new IOException("softhsm-token init-token printed no serial: " + out);
        }
        return out;
    }

    /**
     * Generates a key pair on a token with OpenSC's pkcs11-tool.
     *
     * @param token   token label, or {@code serial=HEX}
     * @param keyType {@code EC:prime256v1}, {@code EC:secp384r1} or {@code rsa:3072}
     */
    public void keygen(String token, String userPin, String keyLabel, String keyType, String hexId)
            throws IOException {
        run(List.of("bash", script.toString(), "keygen", conf.toString(), token, keyLabel, keyType, hexId),
                Map.of("SOFTHSM_USER_PIN", userPin));
    }

    /**
     * As {@link #keygen}, plus a placeholder certificate with the same id and label, so that SunPKCS11 (which only
     * sees private keys with a certificate) can use the key: how an operator makes a server or CA key.
     *
     * @return the key's URI path, {@code pkcs11:token=<token>;object=<keyLabel>;type=private}
     */
    public String keygenWithCertificate(String token, String userPin, String keyLabel, String keyType, String hexId)
            throws IOException {
        return run(List.of("bash", script.toString(), "keygen-cert", conf.toString(), token, keyLabel, keyType,
                hexId), Map.of("SOFTHSM_USER_PIN", userPin)).trim();
    }

    /** Runs {@code pkcs11-tool --module <softhsm> args...} against this fixture's tokens; returns stdout. */
    public String pkcs11Tool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("pkcs11-tool", "--module", module.toString()));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    private String run(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            // The command line may carry PINs (pkcs11-tool --pin); report only the tool and its output.
            throw new IOException(command.get(0) + " " + (command.size() > 2 ? command.get(2) : "")
                    + " failed (exit " + p.exitValue() + "): " + text);
        }
        return text;
    }

    /**
     * ORs {@code flags} (CK_TOKEN_INFO flags, e.g. CKF_USER_PIN_LOCKED 0x40000, CKF_USER_PIN_FINAL_TRY 0x20000)
     * into the stored flags of the token labelled {@code label}, to put it in PIN states SoftHSM2 never reaches on
     * its own (it counts no retries and never locks a PIN). Call it before this JVM first loads SoftHSM2.
     *
     * <p>Relies on SoftHSM2's file object store: token.object is a list of (type u64, kind u64, value) records;
     * the label is vendor attribute 0x80005349 (bytes), the flags 0x8000534B (kind 2 = unsigned long).
     */
    public void forceTokenFlags(String label, long flags) throws IOException {
        byte[] padded = new byte[32];
        Arrays.fill(padded, (byte) ' ');
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, padded, 0, l.length);
        try (Stream<Path> dirs = Files.list(tokenDir())) {
            for (Path d : dirs.toList()) {
                Path file = d.resolve("token.object");
                byte[] b = Files.readAllBytes(file);
                int labelAt = find(b, record(0x80005349L, 3));
                if (labelAt < 0 || !Arrays.equals(Arrays.copyOfRange(b, labelAt + 24, labelAt + 56), padded)) {
                    continue;
                }
                int flagsAt = find(b, record(0x8000534BL, 2));
                if (flagsAt < 0) {
                    throw new IOException("no token flags in " + file);
                }
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
                buf.putLong(flagsAt + 16, buf.getLong(flagsAt + 16) | flags);
                Files.write(file, b);
                return;
            }
        }
        throw new IOException("no token labelled " + label);
    }

    private static byte[] record(long type, long kind) {
        return java.nio.ByteBuffer.allocate(16).putLong(type).putLong(kind).array();
    }

    private static int find(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Deletes the token directory (the per-fork conf is left; the next class rewrites it). */
    @Override
    public void close() throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
