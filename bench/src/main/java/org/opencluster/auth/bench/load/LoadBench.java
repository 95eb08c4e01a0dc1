package org.opencluster.auth.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.opencluster.auth.client.login.LoginCredential;

/**
 * The loopback load driver (issue 7): our server and client against JSSE TLS 1.3 and plain TCP, same work, same
 * run, alternating rounds. One section per JVM, so {@code bin/bench} can pin the round-trip section to one core
 * and give the idle-memory sections a fresh heap each:
 * <pre>
 *   LoadBench logins|bulk|rtt|aead|idle-ours|idle-jsse|hello-flood|name-timing|oprf [--quick] [--work DIR]
 *   LoadBench table RESULTS_FILE
 * </pre>
 * Every figure is printed as {@code RESULT key value}; {@code table} turns a file of them into the comparison.
 */
public final class LoadBench {
    private LoadBench() {
    }

    private static final int WARMUP_CYCLES = 8;

    private static final class Settings {
        final double seconds;
        final double warmup;
        final int rounds;
        final int idleSessions;
        final Path work;

        Settings(boolean quick, Path work) {
            // -Doca.bench.seconds=N lengthens each round (for profiling one side with JFR or perf).
            this.seconds = Double.parseDouble(System.getProperty("oca.bench.seconds", quick ? "1.5" : "4"));
            // C2 needs several seconds on a loaded 2-core machine before the AEAD and EC code are compiled.
            this.warmup = quick ? 2 : 8;
            this.rounds = quick ? 1 : 3;
            this.idleSessions = quick ? 2_000 : 10_000;
            this.work = work;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: LoadBench logins|pq|bulk|rtt|aead|idle-ours|idle-jsse|hello-flood|name-timing|oprf|cluster [--quick] [--work DIR]"
                    + " | table FILE");
            System.exit(2);
        }
        String section = args[0];
        if (section.equals("table")) {
            new ResultTable(Results.read(Path.of(args[1])), System.out).print();
            return;
        }
        JsseFixture.configureJvm();
        if (section.startsWith("hold-")) {
            IdleMemory.hold(section, args);
            return;
        }
        boolean quick = false;
        Path work = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                quick = true;
            } else if (args[i].equals("--work")) {
                work = Path.of(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (work == null) {
            work = Files.createTempDirectory("oca-bench-");
        }
        Settings s = new Settings(quick, work);
        Results out = new Results();
        switch (section) {
            case "logins": logins(s, out); break;
            case "pq": postQuantum(s, out); break;
            case "bulk": bulk(s, out); break;
            case "rtt": roundTrips(s, out); break;
            case "aead": aead(s, out); break;
            case "idle-ours": IdleMemory.ours(work, s.idleSessions, out); break;
            case "idle-jsse": IdleMemory.jsse(work, s.idleSessions, out); break;
            case "hello-flood": HelloFlood.run(work, quick, out); break;
            case "name-timing": NameTiming.run(work, quick, out); break;
            case "oprf": OprfCost.run(quick, out); break;
            case "cluster": ClusterThroughput.run(work, quick, out); break;
            default: throw new IllegalArgumentException("unknown section " + section);
        }
        // Netty and H2 leave non-daemon threads behind on some paths; the figures are printed.
        System.exit(0);
    }

    /** Runs every side once for warm-up, then {@code rounds} alternating rounds; records each side's median. */
    private static void compare(Settings s, Results out, Map<String, Rates.PerThread> sides, Map<String, Integer> threads,
            double scale) throws Exception {
        // -Doca.bench.sides=REGEX keeps only matching sides (for profiling one side with JFR).
        String only = System.getProperty("oca.bench.sides");
        if (only != null) {
            sides.keySet().removeIf(k -> !k.matches(only));
        }
        // Warm-up in short cycles, each with fresh connections (a login, a TLS handshake), as every measured round
        // starts with one: warmed on one long-lived session, the JIT compiles the data path without the branches a
        // new connection takes, and the next round's login deoptimises it (seen as a first round 2-4x slower on one
        // pinned core while C2 recompiles; SessionRamp shows each new session ramping up).
        for (int cycle = 0; cycle < WARMUP_CYCLES; cycle++) {
            for (Map.Entry<String, Rates.PerThread> e : sides.entrySet()) {
                Rates.run(threads.get(e.getKey()), s.warmup / WARMUP_CYCLES, e.getValue());
            }
        }
        Map<String, List<Double>> rounds = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        for (int round = 0; round < s.rounds; round++) {
            List<String> order = new ArrayList<>(sides.keySet());
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String key : order) {
                double rate = Rates.run(threads.get(key), s.seconds, sides.get(key)) * scale;
                rounds.computeIfAbsent(key, k -> new ArrayList<>()).add(rate);
                double cpuPerOp = Rates.lastCpuMicrosPerOp;
                cpu.computeIfAbsent(key, k -> new ArrayList<>()).add(cpuPerOp);
                System.out.printf(Locale.ROOT, "round %d %-22s %,14.1f   (%,.1f us CPU per op, both sides)%n",
                        round + 1, key, rate, cpuPerOp);
            }
        }
        for (Map.Entry<String, List<Double>> e : rounds.entrySet()) {
            out.put(e.getKey(), Rates.median(e.getValue()));
            out.put(e.getKey() + ".cpu_us", Rates.median(cpu.get(e.getKey())));
        }
    }

    private static void logins(Settings s, Results out) throws Exception {
        JsseFixture tls = JsseFixture.generate();
        try (OursFixture f = new OursFixture(s.work.resolve("logins"), true, true);
             PeerServer jsse = PeerServer.tls(tls.server)) {
            Optional<LoginCredential> hsm = f.softHsmService();
            for (int t : new int[] {1, 2}) {
                Map<String, Rates.PerThread> sides = new LinkedHashMap<>();
                sides.put("login.ed25519.t" + t, Workloads.oursLogins(f, OursFixture.SERVICE_ED25519,
                        f.ed25519Service()));
                sides.put("login.jsse.t" + t, Workloads.jsseHandshakes(tls, jsse.address()));
                if (hsm.isPresent()) {
                    sides.put("login.softhsm.t" + t, Workloads.oursLogins(f, OursFixture.SERVICE_HSM, hsm.get()));
                }
                sides.put("login.person.t" + t, Workloads.oursLogins(f, OursFixture.PERSON, f.personUnlocked()));
                Map<String, Integer> threads = new LinkedHashMap<>();
                sides.keySet().forEach(k -> threads.put(k, t));
                compare(s, out, sides, threads, 1);
            }
            // With the KDF a login takes a few hundred ms: one round, long enough for a handful of logins.
            for (int t : new int[] {1, 2}) {
                double rate = Rates.run(t, Math.max(s.seconds, 3), Workloads.oursLogins(f, OursFixture.PERSON,
                        f.personWithPassphrase()));
                out.put("login.personkdf.t" + t, rate);
            }
            List<Double> opens = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                f.openEnvelopeOnce();
                opens.add((System.nanoTime() - t0) / 1e6);
            }
            out.put("kdf.open.ms", Rates.median(opens));
            out.put("jsse.handshakes", Workloads.JSSE_HANDSHAKES.get());
            out.put("jsse.server.verified", tls.serverVerifiedChains.get());
        }
    }

    /**
     * Issue 18: logins with the X25519MLKEM768 hybrid (suite 0x0105) against X25519 alone (0x0101), same run,
     * alternating rounds, the Ed25519 service account (the cheapest proof, so the key exchange shows most); then
     * one side of each key exchange and the server's ECDSA P-256 signature alone, for the ratio the issue asks.
     */
    private static void postQuantum(Settings s, Results out) throws Exception {
        try (OursFixture f = new OursFixture(s.work.resolve("pq"), false, false)) {
            for (int t : new int[] {1, 2}) {
                Map<String, Rates.PerThread> sides = new LinkedHashMap<>();
                sides.put("login.pq.hybrid.t" + t, Workloads.oursLogins(f, OursFixture.SERVICE_ED25519,
                        f.ed25519Service(), 0x0105));
                sides.put("login.pq.x25519.t" + t, Workloads.oursLogins(f, OursFixture.SERVICE_ED25519,
                        f.ed25519Service(), 0x0101));
                Map<String, Integer> threads = new LinkedHashMap<>();
                sides.keySet().forEach(k -> threads.put(k, t));
                compare(s, out, sides, threads, 1);
            }
        }
        KeyExchangeCost.measure(s.seconds, out);
    }

    private static void bulk(Settings s, Results out) throws Exception {
        JsseFixture tls = JsseFixture.generate();
        try (OursFixture f = new OursFixture(s.work.resolve("bulk"), false, false);
             PeerServer jsse = PeerServer.tls(tls.server);
             PeerServer tcp = PeerServer.plain()) {
            Map<String, Rates.PerThread> sides = new LinkedHashMap<>();
            for (int suite : new int[] {0x0101, 0x0102, 0x0103, 0x0104}) {
                sides.put(String.format(Locale.ROOT, "bulk.%04x", suite), Workloads.oursBulk(f, suite));
            }
            sides.put("bulk.jsse", Workloads.peerBulk(tls.client, jsse.address()));
            sides.put("bulk.jsse.chacha", Workloads.peerBulk(tls.client, jsse.address(), JsseFixture.CHACHA_SUITE));
            sides.put("bulk.tcp", Workloads.peerBulk(null, tcp.address()));
            Map<String, Integer> threads = new LinkedHashMap<>();
            sides.keySet().forEach(k -> threads.put(k, 1));
            compare(s, out, sides, threads, Workloads.BULK_MESSAGE / 1e6);
        }
    }

    private static void roundTrips(Settings s, Results out) throws Exception {
        JsseFixture tls = JsseFixture.generate();
        try (OursFixture f = new OursFixture(s.work.resolve("rtt"), false, false);
             PeerServer jsse = PeerServer.tls(tls.server);
             PeerServer tcp = PeerServer.plain()) {
            Map<String, Rates.PerThread> sides = new LinkedHashMap<>();
            sides.put("rtt.ours", Workloads.oursRoundTrips(f));
            sides.put("rtt.jsse", Workloads.peerRoundTrips(tls.client, jsse.address()));
            sides.put("rtt.tcp", Workloads.peerRoundTrips(null, tcp.address()));
            Map<String, Integer> threads = new LinkedHashMap<>();
            sides.keySet().forEach(k -> threads.put(k, 1));
            compare(s, out, sides, threads, 1);
        }
    }

    /** The JVM's AEAD on one thread, 16 KiB records, a fresh nonce per record as the record layer needs. */
    private static void aead(Settings s, Results out) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[32];
        random.nextBytes(key);
        byte[] in = new byte[Workloads.BULK_MESSAGE];
        byte[] sealed = new byte[Workloads.BULK_MESSAGE + 16];
        byte[] nonce = new byte[12];
        for (String alg : new String[] {"aes", "chacha"}) {
            boolean aes = alg.equals("aes");
            Cipher c = Cipher.getInstance(aes ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
            SecretKeySpec k = new SecretKeySpec(key, aes ? "AES" : "ChaCha20");
            long[] counter = {0};
            Rates.PerThread body = () -> Rates.loop(() -> {
                long n = ++counter[0];
                for (int i = 0; i < 8; i++) {
                    nonce[11 - i] = (byte) (n >>> (8 * i));
                }
                c.init(Cipher.ENCRYPT_MODE, k, aes ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce));
                c.doFinal(in, 0, in.length, sealed, 0);
            });
            Map<String, Rates.PerThread> sides = new LinkedHashMap<>();
            sides.put("aead." + alg, body);
            compare(s, out, sides, Map.of("aead." + alg, 1), Workloads.BULK_MESSAGE / 1e6);
        }
    }
}
