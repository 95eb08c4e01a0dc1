package org.opencluster.auth.server.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opencluster.auth.server.AuthServerMain;

/**
 * {@code oca-server run --config <file>} in a child JVM, as an operator runs it, so a test can kill the whole
 * process (SIGKILL: no shutdown hook, no close, no flush) and start it again on the same data. Its output goes to
 * a file next to the configuration, which failure messages quote.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]*:(\\d+)");

    private final Process process;
    private final Path log;
    private final InetSocketAddress address;

    private ServerProcess(Process process, Path log, InetSocketAddress address) {
        this.process = process;
        this.log = log;
        this.address = address;
    }

    /** Starts the server on {@code config} and waits (at most 60 s) until it listens. */
    static ServerProcess start(Path config) throws Exception {
        return start(config, System.getProperty("java.class.path"), List.of(), null);
    }

    /**
     * Starts the server on {@code config} with this class path and these JVM options; its stderr goes to
     * {@code stderr} when not null (its stdout, with the "listening on" line, still to {@link #output()}).
     */
    static ServerProcess start(Path config, String classPath, List<String> jvmOptions, Path stderr)
            throws Exception {
        Path log = config.resolveSibling("server-" + System.nanoTime() + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, AuthServerMain.class.getName(), "run", "--config",
                config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        if (stderr == null) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(stderr.toFile());
        }
        Process p = pb.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)); var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the server exited before it listened"));
        }, "server-process-output");
        pump.setDaemon(true);
        pump.start();
        try {
            int listening = port.get(60, TimeUnit.SECONDS);
            return new ServerProcess(p, log, new InetSocketAddress("127.0.0.1", listening));
        } catch (Exception e) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the server did not start: " + e + "\n" + output(log), e);
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /** The process id (a test checks that a node was not restarted). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL (what {@code kill -9} sends), then waits until the process is gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the server survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM (what an operator's stop sends: the graceful drain), then waits until the process is gone. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not stop within 30 s of SIGTERM");
        }
    }

    /** What the server wrote so far (for failure messages). */
    String output() {
        return output(log);
    }

    private static String output(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
