package org.opencluster.auth.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.login.HelloGate;

/**
 * Issue 12, row 7: what an anonymous flood of CLIENT_HELLOs from one core costs the server, with the cookie round
 * off and on (default {@code hello.cookies=auto}). One flooder thread from 127.0.0.2: connect, CLIENT_HELLO (suite
 * 0x0103, so an answer costs a P-256 key generation and the server's signature), read the answer's first command,
 * reset. The window opens once the hello path is compiled ({@link #warmUpHellos}). Server CPU is the thread CPU
 * time of every Java thread of this JVM but the flooder and the driver (the server runs in-process); the flooder's
 * CPU is its own thread's. Then a legitimate service logs in from 127.0.0.1, paced, idle and during the flood; its
 * median latency is compared.
 */
final class HelloFlood {
    private static final InetAddress FLOODER = address("127.0.0.2");
    private static final String FLOODER_THREAD = "hello-flooder";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    /** JIT compilation per second of flood below which the hello path counts as compiled. */
    private static final long QUIET_JIT_MS = 50;
    /** Consecutive quiet seconds that end the warm-up (one can be a lull between two waves of compilation). */
    private static final int QUIET_ROUNDS = 3;

    private HelloFlood() {
    }

    static void run(Path work, boolean quick, Results out) throws Exception {
        double seconds = quick ? 2 : 5;
        int logins = quick ? 20 : 40;
        for (HelloGate.Mode mode : modes()) {
            String key = "hello." + mode.name().toLowerCase(Locale.ROOT);
            HelloGate.Settings settings = new HelloGate.Settings(mode, HelloGate.Settings.DEFAULT.perSourceRate(),
                    HelloGate.Settings.DEFAULT.loadThreshold());
            try (OursFixture f = new OursFixture(work.resolve(key), false, false, settings)) {
                LoginCredential service = f.ed25519Service();
                logins(f, service, 20); // warm-up of the login path
                List<Double> idle = logins(f, service, logins);
                // Last before the window: nothing compiled after it is on the hello path.
                double warmUp = warmUpHellos(f, quick ? 30 : 90);

                AtomicBoolean stop = new AtomicBoolean();
                Counts counts = new Counts();
                Thread flooder = new Thread(() -> flood(f, 600, stop, counts), FLOODER_THREAD);
                flooder.start();
                List<Double> flooded;
                double serverUs;
                long jitMs;
                double clientUs;
                long hellos;
                long signed;
                Map<String, long[]> groups;
                try {
                    Thread.sleep(1_000);
                    long jit0 = JIT.getTotalCompilationTime();
                    long server0 = serverCpuNanos();
                    Map<String, long[]> groups0 = serverCpuByGroup();
                    long client0 = counts.cpuNanos.get();
                    long hellos0 = counts.hellos.get();
                    long signed0 = counts.signed.get();
                    Thread.sleep((long) (seconds * 1000));
                    long server1 = serverCpuNanos();
                    groups = since(groups0, serverCpuByGroup());
                    jitMs = JIT.getTotalCompilationTime() - jit0;
                    hellos = counts.hellos.get() - hellos0;
                    signed = counts.signed.get() - signed0;
                    serverUs = (server1 - server0) / 1e3 / hellos;
                    clientUs = (counts.cpuNanos.get() - client0) / 1e3 / hellos;
                    flooded = logins(f, service, logins);
                } finally {
                    stop.set(true);
                    flooder.join(30_000);
                }
                double idleMs = Rates.median(idle);
                double floodMs = Rates.median(flooded);
                System.out.printf(Locale.ROOT, "%s: %,d flood hellos in %.1f s (%.0f/s), %d signed; server %.1f us CPU"
                        + " per hello, flooder %.1f us (after %.0f s of warm-up; JIT %d ms in the window); login median idle %.2f ms,"
                        + " during the flood %.2f"
                        + " ms (%.1fx)%n",
                        key, hellos, seconds, hellos / seconds, signed, serverUs, clientUs, warmUp, jitMs, idleMs, floodMs,
                        floodMs / idleMs);
                for (Map.Entry<String, long[]> g : groups.entrySet()) {
                    System.out.printf(Locale.ROOT, "  %s: server threads %s: %.1f us CPU per hello, of it %.1f us in"
                            + " user mode%n", key, g.getKey(), g.getValue()[0] / 1e3 / hellos,
                            g.getValue()[1] / 1e3 / hellos);
                }
                out.put(key + ".server_us", serverUs);
                out.put(key + ".jit_ms", jitMs);
                out.put(key + ".client_us", clientUs);
                out.put(key + ".hellos_per_s", hellos / seconds);
                out.put(key + ".signed_per_s", signed / seconds);
                out.put(key + ".login_idle_ms", idleMs);
                out.put(key + ".login_flood_ms", floodMs);
            }
        }
    }

    /**
     * The modes to measure: {@code -Doca.bench.hello.modes=auto} measures only the cookie round (repeated runs of the
     * figure the target is about); default off and auto.
     */
    private static List<HelloGate.Mode> modes() {
        List<HelloGate.Mode> modes = new ArrayList<>();
        for (String m : System.getProperty("oca.bench.hello.modes", "off,auto").split(",")) {
            modes.add(HelloGate.Mode.valueOf(m.trim().toUpperCase(Locale.ROOT)));
        }
        return modes;
    }

    /**
     * Floods in one-second rounds until {@link #QUIET_ROUNDS} rounds in a row cost the JIT under {@link #QUIET_JIT_MS} of compilation (or
     * maxSeconds pass): the window then measures compiled code per hello, not how far a compiler starved by a busy
     * machine has got (a 1.5 s warm-up left it compiling through the whole window, 5 s of compilation in 5 s, and
     * the server's longer path suffers from that more than the flooder's). Returns the seconds it took.
     */
    private static double warmUpHellos(OursFixture f, double maxSeconds) throws InterruptedException {
        long t0 = System.nanoTime();
        double elapsed;
        int quietRounds = 0;
        do {
            long jit0 = JIT.getTotalCompilationTime();
            flood(f, 1, null);
            quietRounds = JIT.getTotalCompilationTime() - jit0 < QUIET_JIT_MS ? quietRounds + 1 : 0;
            elapsed = (System.nanoTime() - t0) / 1e9;
        } while (quietRounds < QUIET_ROUNDS && elapsed < maxSeconds);
        return elapsed;
    }

    private static final class Counts {
        final AtomicLong hellos = new AtomicLong();
        final AtomicLong signed = new AtomicLong();
        /** The flooder's own CPU time so far, updated after every hello. */
        final AtomicLong cpuNanos = new AtomicLong();
    }

    /** Logins of the Ed25519 service from 127.0.0.1, one every 50 ms at most; latencies in milliseconds. */
    private static List<Double> logins(OursFixture f, LoginCredential service, int n) throws Exception {
        List<Double> took = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (OcaConnection c = OcaConnection.login(f.address(), OursFixture.SERVICE_ED25519, service, f.trust(),
                    0x0101, 16 * 1024)) {
                took.add((System.nanoTime() - t0) / 1e6);
            }
            long rest = 50 - (System.nanoTime() - t0) / 1_000_000;
            if (rest > 0) {
                Thread.sleep(rest);
            }
        }
        return took;
    }

    private static void flood(OursFixture f, double seconds, Counts counts) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> flood(f, seconds, stop, counts == null ? new Counts() : counts), FLOODER_THREAD);
        t.start();
        t.join();
    }

    /** One thread, one source: connect, CLIENT_HELLO, first command of the answer, reset; bounded by seconds. */
    private static void flood(OursFixture f, double seconds, AtomicBoolean stop, Counts counts) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        SecureRandom random = new SecureRandom();
        byte[] suites = ByteBuffer.allocate(2).putShort((short) 0x0103).array();
        while (!stop.get() && System.nanoTime() < deadline) {
            byte[] clientRandom = new byte[32];
            random.nextBytes(clientRandom);
            byte[] hello = HandshakeMessage.of(HandshakeCommandIds.HS_CLIENT_HELLO,
                    RispCommand.integer(HandshakeCommandIds.PROTOCOL_VERSION, HandshakeCommandIds.PROTOCOL_VERSION_2),
                    RispCommand.fixed(HandshakeCommandIds.CLIENT_RANDOM, clientRandom),
                    RispCommand.string(HandshakeCommandIds.SUPPORTED_SUITES, suites),
                    RispCommand.string(HandshakeCommandIds.EXTENSIONS, new byte[0])).encode();
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(FLOODER, 0));
                s.setSoLinger(true, 0); // reset on close: no TIME_WAIT on the flooder's ports
                s.setTcpNoDelay(true);
                s.connect(f.address(), 5_000);
                s.setSoTimeout(5_000);
                s.getOutputStream().write(hello);
                InputStream in = s.getInputStream();
                int id = (in.read() << 8) | in.read();
                if (id == HandshakeCommandIds.HS_SERVER_HELLO) {
                    counts.signed.incrementAndGet();
                }
                counts.hellos.incrementAndGet();
            } catch (IOException e) {
                // refused, reset or timed out: the flood goes on
            }
            counts.cpuNanos.set(THREADS.getCurrentThreadCpuTime() - cpu0);
        }
    }

    /**
     * Thread CPU time (user and system) of this JVM's Java threads outside the flooder and the driver: the server's
     * event loops and logic executors. The JVM's own threads (GC, JIT compilers) are not Java threads and are not
     * counted on either side; the JIT's activity in the window is printed apart (jit_ms).
     */
    private static long serverCpuNanos() {
        Set<String> notServer = Set.of(FLOODER_THREAD, Thread.currentThread().getName());
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long t = THREADS.getThreadCpuTime(id);
            if (info != null && t > 0 && !notServer.contains(info.getThreadName())) {
                sum += t;
            }
        }
        return sum;
    }

    /**
     * The server's CPU time by thread pool (a thread's name without its last number: the acceptor, the I/O loops,
     * the logic executors), total and user mode, in nanoseconds: where a hello's microseconds go, kernel or Java.
     */
    private static Map<String, long[]> serverCpuByGroup() {
        Set<String> notServer = Set.of(FLOODER_THREAD, Thread.currentThread().getName());
        Map<String, long[]> groups = new TreeMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long t = THREADS.getThreadCpuTime(id);
            long u = THREADS.getThreadUserTime(id);
            if (info != null && t > 0 && !notServer.contains(info.getThreadName())) {
                long[] g = groups.computeIfAbsent(info.getThreadName().replaceFirst("-\\d+$", ""), k -> new long[2]);
                g[0] += t;
                g[1] += Math.max(0, u);
            }
        }
        return groups;
    }

    private static Map<String, long[]> since(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, long[]> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[2]);
            d.put(k, new long[] {v[0] - b[0], v[1] - b[1]});
        });
        return d;
    }

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
