package org.opencluster.auth.bench.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Timed loops: operations per second of a body run by N threads for a fixed time, and the median of rounds that
 * alternate between the compared sides (load from other processes on a shared machine drifts over minutes;
 * alternating spreads it over both sides instead of turning it into a fake difference).
 */
final class Rates {
    /** One unit of work; returns how many operations it did (e.g. 1 login, or 1 acknowledged message). */
    @FunctionalInterface
    interface Body {
        long run(AtomicBoolean stop) throws Exception;
    }

    /** Creates the per-thread body (its own connection, buffers...). */
    @FunctionalInterface
    interface PerThread {
        Body create() throws Exception;
    }

    private Rates() {
    }

    /**
     * CPU time of the whole process (client and server threads, all cores) per operation in the last {@link #run},
     * in microseconds. On a shared machine the wall-clock rate depends on how much CPU the others leave; the CPU
     * each operation costs does much less, so it is reported next to the rate.
     */
    static volatile double lastCpuMicrosPerOp;

    private static long processCpuNanos() {
        Object os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : -1;
    }

    /** Runs {@code threads} copies of the body for {@code seconds}; returns operations per second (all threads). */
    static double run(int threads, double seconds, PerThread factory) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Body> bodies = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                bodies.add(factory.create());
            }
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            List<Future<Long>> done = new ArrayList<>();
            for (Body b : bodies) {
                done.add(pool.submit(() -> b.run(stop)));
            }
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            long ops = 0;
            for (Future<Long> f : done) {
                ops += f.get();
            }
            double rate = ops / ((System.nanoTime() - t0) / 1e9);
            lastCpuMicrosPerOp = ops == 0 ? Double.NaN : (processCpuNanos() - cpu0) / 1e3 / ops;
            return rate;
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /** Repeats {@code body} until told to stop; counts one per call. */
    static Body loop(Step step) {
        return stop -> {
            long n = 0;
            while (!stop.get()) {
                step.run();
                n++;
            }
            return n;
        };
    }

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
