package org.opencluster.auth.bench.token;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.token.pkcs11.Pkcs11Token;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * ECDSA P-256 signatures per second on a SoftHSM2 key: through {@link Pkcs11Token#sign} versus a bare SunPKCS11
 * {@link Signature} on the same token object, in the same JVM and run. The budget for the abstraction is
 * under 5 % overhead.
 *
 * <p>Run (SOFTHSM2_CONF must name a scratch file; the fixture points it at a fresh token directory per fork):
 * <pre>
 *   ./mvnw -B -ntp -pl bench -am package -DskipTests
 *   ./mvnw -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   SOFTHSM2_CONF=/tmp/oca-bench/softhsm2.conf java -cp bench/target/classes:$(cat bench/target/cp.txt) \
 *       org.opencluster.auth.bench.token.TokenSignBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenSignBenchmark {
    private static final String PIN = "1234";
    private final byte[] message = new byte[32];
    private SoftHsmFixture hsm;
    private Pkcs11Token token;
    private Signature raw;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        hsm = SoftHsmFixture.forTestClass(TokenSignBenchmark.class);
        hsm.initToken("bench", "12345678", PIN);
        Pkcs11Tokens tokens = Pkcs11Tokens.builder().defaultModule(hsm.module())
                .defaultPinSource(PinSource.of(PIN.toCharArray())).build();
        try (Pkcs11Connection c = tokens.connect("pkcs11:token=bench")) {
            c.generateKeyPair(KeyType.EC_P256, "k");
        }
        token = tokens.open("pkcs11:token=bench;object=k");
        // The baseline: a second SunPKCS11 provider on the same (only) slot, same key object, no abstraction.
        Provider p = Security.getProvider("SunPKCS11")
                .configure("--name=bench-raw\nlibrary=" + hsm.module() + "\nslotListIndex=0\n");
        KeyStore ks = KeyStore.getInstance("PKCS11", p);
        ks.load(null, PIN.toCharArray());
        raw = Signature.getInstance("SHA256withECDSA", p);
        raw.initSign((PrivateKey) ks.getKey("k", null));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        token.close();
        hsm.close();
    }

    @Benchmark
    public byte[] abstraction() throws Exception {
        return token.sign(SignatureScheme.ECDSA_P256_SHA256, message);
    }

    @Benchmark
    public byte[] rawSunPkcs11() throws Exception {
        raw.update(message);
        return raw.sign();
    }

    /**
     * Runs both benchmarks in alternating rounds (args[0], default 5) and prints each round's ratio and the median.
     * Alternating matters on a shared machine: load from other processes drifts over minutes, and running all of
     * one benchmark before the other turns that drift into a fake difference.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("paired")) {
            paired(args.length > 1 ? Integer.parseInt(args[1]) : 400);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Double> ratios = new ArrayList<>();
        double sumAbstraction = 0;
        double sumRaw = 0;
        for (int round = 1; round <= rounds; round++) {
            boolean rawFirst = round % 2 == 0;
            double first = score(rawFirst ? "rawSunPkcs11" : "abstraction");
            double second = score(rawFirst ? "abstraction" : "rawSunPkcs11");
            double abstraction = rawFirst ? second : first;
            double raw = rawFirst ? first : second;
            sumAbstraction += abstraction;
            sumRaw += raw;
            ratios.add(abstraction / raw);
            System.out.printf("round %d: abstraction %.0f ops/s, raw SunPKCS11 %.0f ops/s, ratio %.3f%n",
                    round, abstraction, raw, abstraction / raw);
        }
        Collections.sort(ratios);
        double median = ratios.get(ratios.size() / 2);
        System.out.printf("mean abstraction %.0f ops/s, mean raw %.0f ops/s; median ratio %.3f "
                + "(overhead %.1f %%)%n", sumAbstraction / rounds, sumRaw / rounds, median, (1 - median) * 100);
    }

    /**
     * Interleaved timing in one JVM: blocks of 50 signatures alternate between the two paths, so load from other
     * processes hits both equally. Prints total throughput of each path and the median of per-block-pair ratios.
     */
    static void paired(int blockPairs) throws Exception {
        TokenSignBenchmark b = new TokenSignBenchmark();
        b.setUp();
        try {
            long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                b.abstraction();
                b.rawSunPkcs11();
            }
            int block = 50;
            long abstractionNanos = 0;
            long rawNanos = 0;
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < blockPairs; i++) {
                boolean rawFirst = (i & 1) == 1;
                long t0 = System.nanoTime();
                for (int j = 0; j < block; j++) {
                    if (rawFirst) {
                        b.rawSunPkcs11();
                    } else {
                        b.abstraction();
                    }
                }
                long t1 = System.nanoTime();
                for (int j = 0; j < block; j++) {
                    if (rawFirst) {
                        b.abstraction();
                    } else {
                        b.rawSunPkcs11();
                    }
                }
                long t2 = System.nanoTime();
                long a = rawFirst ? t2 - t1 : t1 - t0;
                long r = rawFirst ? t1 - t0 : t2 - t1;
                abstractionNanos += a;
                rawNanos += r;
                ratios.add((double) r / a); // throughput ratio abstraction/raw
            }
            Collections.sort(ratios);
            long ops = (long) blockPairs * block;
            double aRate = ops / (abstractionNanos / 1e9);
            double rRate = ops / (rawNanos / 1e9);
            System.out.printf("paired: abstraction %.0f ops/s, raw SunPKCS11 %.0f ops/s, ratio %.3f, "
                    + "median block ratio %.3f (overhead %.1f %%), %d signatures each%n",
                    aRate, rRate, aRate / rRate, ratios.get(ratios.size() / 2),
                    (1 - aRate / rRate) * 100, ops);
        } finally {
            b.tearDown();
        }
    }

    private static double score(String name) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(TokenSignBenchmark.class.getName() + "\\." + name + "$")
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .forks(1)
                .build()).run();
        return results.iterator().next().getPrimaryResult().getScore();
    }
}
