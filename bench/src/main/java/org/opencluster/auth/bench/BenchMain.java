package org.opencluster.auth.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.opencluster.auth.bench.risp.RispWorkload;

/**
 * Runs the benchmarks (JMH) and prints a table with ratios against the baseline measured in the same run.
 *
 * <p>Arguments are JMH's own ({@code -f 1 -wi 3 -i 5 RispCodec}); with none, the RISP codec suite runs with its
 * defaults. {@code --jmh-table-off} prints only JMH's output.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            builder.include("RispCodecBenchmark");
        }
        if (!cli.getForkCount().hasValue()) {
            builder.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            builder.warmupIterations(3);
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            builder.measurementIterations(5);
        }
        Options options = builder.build();
        Collection<RunResult> results = run(options);
        printRispTable(results);
    }

    private static Collection<RunResult> run(Options options) throws RunnerException {
        return new Runner(options).run();
    }

    /** Codec results as commands/s and MB/s, each against {@code copy} of the same workload. */
    static void printRispTable(Collection<RunResult> results) {
        Map<String, Double> copyMbps = new HashMap<>();
        List<String[]> rows = new ArrayList<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            if (!name.contains("RispCodecBenchmark")) {
                continue;
            }
            RispWorkload w = RispWorkload.valueOf(r.getParams().getParam("workload"));
            double streamsPerSecond = r.getPrimaryResult().getScore();
            double bytesPerStream = w.bytesPerCommand() * w.commands().size();
            double mbps = streamsPerSecond * bytesPerStream / 1e6;
            String op = name.substring(name.lastIndexOf('.') + 1);
            if (op.equals("copy")) {
                copyMbps.put(w.name(), mbps);
            }
            rows.add(new String[] {w.name(), op, String.valueOf(streamsPerSecond * w.commands().size()),
                String.valueOf(mbps)});
        }
        if (rows.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("RISP codec, one thread, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-12s %-7s %16s %12s %14s%n", "workload", "op", "commands/s", "MB/s",
                "vs copy MB/s");
        for (String[] row : rows) {
            double mbps = Double.parseDouble(row[3]);
            Double base = copyMbps.get(row[0]);
            System.out.printf(Locale.ROOT, "%-12s %-7s %,16.0f %,12.0f %13.2fx%n", row[0], row[1],
                    Double.parseDouble(row[2]), mbps, base == null ? Double.NaN : mbps / base);
        }
    }
}
