package org.opencluster.auth.server.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.opencluster.auth.testsupport.RealComponent;

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary directory, as bin/test starts the shared one) that the
 * test can stop and start again: the shared test database cannot be restarted under other tests. Needs root (the
 * server runs as user {@code postgres}) and the Debian {@code postgresql} package; under CI=true both must be there.
 */
final class RestartablePostgres implements AutoCloseable {
    private static final String DATABASE = "oca_test";
    /** Below the kernel's ephemeral range (32768+), so no outgoing connection holds the port (as in bin/test). */
    private static final int FIRST_PORT = 25446;
    private static final int LAST_PORT = 25532;

    private final Path bin;
    private final Path dir;
    private final int port;

    private RestartablePostgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    static RestartablePostgres create() throws Exception {
        Path bin = newestBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        RealComponent.require(bin != null && root, "PostgreSQL's server binaries (apt-get install postgresql) and"
                + " root, to run a PostgreSQL cluster of the test's own as user postgres");
        Path dir = Files.createTempDirectory("oca-pg-restart-");
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
        RestartablePostgres pg = new RestartablePostgres(bin, dir, freePort());
        pg.run("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres");
        pg.start();
        pg.run("createdb", "-h", "127.0.0.1", "-p", String.valueOf(pg.port), DATABASE);
        return pg;
    }

    private static Path newestBin() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return null;
        }
        try (Stream<Path> all = Files.list(versions)) {
            return all.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString()
                            .replaceAll("\\D", "0")))).orElse(null);
        }
    }

    private static int freePort() throws IOException {
        for (int p = FIRST_PORT; p <= LAST_PORT; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IOException("no free port in " + FIRST_PORT + "-" + LAST_PORT + " for PostgreSQL");
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    String user() {
        return "postgres";
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    /** Starts the server and waits until it accepts connections. */
    void start() throws Exception {
        run("pg_ctl", "-D", data(), "-l", dir.resolve("pg.log").toString(), "-w", "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c fsync=off", "start");
    }

    /**
     * Stops the server at once, as a crash or a kill would ({@code -m immediate}: no checkpoint, every connection
     * cut; the next start recovers from the write-ahead log), and waits until it is gone.
     */
    void stop() throws Exception {
        run("pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
    }

    private void run(String tool, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", bin.resolve(tool)
                .toString()));
        command.addAll(List.of(args));
        // postgres may not enter the checkout (owner-only), so its commands run from /.
        Process p = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(tool + " failed: " + new String(out) + log());
        }
    }

    private String log() {
        try {
            Path log = dir.resolve("pg.log");
            return Files.exists(log) ? "\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (IllegalStateException alreadyStopped) {
            // the test left it stopped
        }
        deleteTree(dir);
    }

    /** Deletes {@code dir} and everything below it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
