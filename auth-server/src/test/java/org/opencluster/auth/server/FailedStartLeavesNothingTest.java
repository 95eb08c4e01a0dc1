package org.opencluster.auth.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.net.RispServer;

/**
 * Issue 17 item 6: a start that fails closes everything it opened: no connection-pool thread, no event-loop
 * thread, no listening socket is left behind for the process (an embedder that retries a start, or a test JVM, would
 * otherwise collect them one failed start at a time).
 */
class FailedStartLeavesNothingTest {
    /** Threads of what a server opens: Netty's loops and executors, the admin listener, HikariCP, H2. */
    private static final Pattern SERVER_THREADS = Pattern.compile(
            "(?i).*(EventLoop|EventExecutor|oca-admin|oca-store|HikariPool|MVStore|H2 ).*");

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Set<Thread> threads() {
        return Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    /** The server threads started since {@code before} that are still alive after at most 5 s. */
    private static List<String> leftOver(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> left;
        do {
            left = threads().stream().filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName).filter(n -> SERVER_THREADS.matcher(n).matches()).sorted().toList();
            if (left.isEmpty()) {
                return left;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return left;
    }

    private static void assertFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }

    /**
     * The admin listener's port is taken after the start's checks and before the server binds it (here from inside
     * the start, by the embedding system's routes hook): by then the store's pool, the TCP listener with its event
     * loops, and the key tokens are open. All of it is closed again, and the fresh data directory removed.
     */
    @Test
    void aStartThatFailsAtItsLastListenerLeavesNoThreadsNoSocketsAndNoDataDirectory() throws Exception {
        int risp = freePort();
        int admin = freePort();
        Path data = dir.resolve("data");
        ServerConfig config = ServerConfig.builder().dataDir(data)
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), risp))
                .adminListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), admin)).build();
        Set<Thread> before = threads();
        ServerSocket[] taker = new ServerSocket[1];
        try {
            IOException e = assertThrows(IOException.class, () -> AuthServer.builder(config)
                    .commands(CommandRegistry.builder().build(), routes -> {
                        try {
                            taker[0] = new ServerSocket(admin, 50, InetAddress.getLoopbackAddress());
                        } catch (IOException busy) {
                            throw new java.io.UncheckedIOException(busy);
                        }
                    }).start());
            assertTrue(e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException,
                    e.toString());
        } finally {
            if (taker[0] != null) {
                taker[0].close();
            }
        }
        List<String> left = leftOver(before);
        assertTrue(left.isEmpty(), "threads left by the failed start: " + left);
        assertFree(risp);
        assertFalse(Files.exists(data), "the fresh data directory is removed");
    }

    /**
     * The TCP listener's own address is taken. The old code created its three event-loop groups, failed to bind and
     * threw, leaving the groups' threads running for the rest of the process.
     */
    @Test
    void aListenerThatCannotBindStopsItsEventLoops() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Set<Thread> before = threads();
            for (boolean epoll : new boolean[] {true, false}) {
                Exception e = assertThrows(Exception.class, () -> RispServer.builder(remote -> {
                    throw new AssertionError("no connection is accepted");
                }).bind((InetSocketAddress) taken.getLocalSocketAddress()).nativeTransport(epoll).start().close());
                assertTrue(e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException
                        || String.valueOf(e.getMessage()).contains("in use"), e.toString());
            }
            List<String> left = leftOver(before);
            assertTrue(left.isEmpty(), "event-loop threads left: " + left);
        }
    }
}
