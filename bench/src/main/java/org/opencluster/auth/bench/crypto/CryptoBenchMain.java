package org.opencluster.auth.bench.crypto;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link FrameBenchmark} and {@link KeyExchangeBenchmark} and prints the record layer's throughput next to
 * the bare cipher's, with the ratio. Usage (after {@code ./mvnw -pl bench -am package -DskipTests}):
 * {@code java -cp <bench classpath> org.opencluster.auth.bench.crypto.CryptoBenchMain}
 */
public final class CryptoBenchMain {
    private CryptoBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Options opts = new OptionsBuilder()
                .include(FrameBenchmark.class.getSimpleName())
                .include(KeyExchangeBenchmark.class.getSimpleName())
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> score = new HashMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String key = method + "|" + r.getParams().getParam("suiteId") + "|" + r.getParams().getParam("size")
                    + "|" + r.getParams().getParam("group");
            score.put(key, r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("suite                                   size   frame ops/s    raw ops/s  frame/raw  frame MB/s");
        for (String suiteId : new String[] {"257", "258", "259", "260"}) {
            String name = SuiteRegistry.standard().require(Integer.parseInt(suiteId)).name();
            for (String size : new String[] {"64", "16384"}) {
                Double f = score.get("frameSealOpen|" + suiteId + "|" + size + "|null");
                Double raw = score.get("rawCipherSealOpen|" + suiteId + "|" + size + "|null");
                if (f != null && raw != null) {
                    System.out.printf("%-38s %6s %12.0f %12.0f %9.2f %11.1f%n", name, size, f, raw, f / raw,
                            f * Integer.parseInt(size) / 1e6);
                }
            }
        }
        for (String group : new String[] {"X25519", "P256"}) {
            System.out.printf("%-8s ephemeral keygen+agree: %8.0f ops/s   key schedule: %8.0f ops/s%n", group,
                    score.getOrDefault("ephemeralExchange|null|null|" + group, Double.NaN),
                    score.getOrDefault("keySchedule|null|null|" + group, Double.NaN));
        }
    }
}
