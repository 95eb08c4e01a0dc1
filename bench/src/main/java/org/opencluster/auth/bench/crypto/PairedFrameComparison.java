package org.opencluster.auth.bench.crypto;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * A load-tolerant companion to the JMH run, for shared machines: frame and bare-cipher rounds of 100 ms alternate,
 * so both see the same background load, and the median of the per-round ratios is reported. Also reports heap
 * bytes allocated per seal+open (thread allocation counter), which does not depend on load at all.
 * Usage: {@code java -cp <bench classpath> org.opencluster.auth.bench.crypto.PairedFrameComparison}
 */
public final class PairedFrameComparison {
    private static final int ROUNDS = 25;
    private static final long ROUND_NANOS = 100_000_000L;

    private PairedFrameComparison() {
    }

    interface Op {
        int run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.println("suite                                   size  frame ops/s    raw ops/s  frame/raw"
                + "  frame B/op  raw B/op");
        for (int suiteId : new int[] {0x0101, 0x0102, 0x0103, 0x0104}) {
            for (int size : new int[] {64, 16384}) {
                FrameBenchmark b = new FrameBenchmark();
                b.suiteId = suiteId;
                b.size = size;
                b.setup();
                Op frame = b::frameSealOpen;
                Op raw = b::rawCipherSealOpen;
                for (int i = 0; i < 10; i++) {
                    rate(frame, ROUND_NANOS);
                    rate(raw, ROUND_NANOS);
                }
                double[] ratios = new double[ROUNDS];
                double[] frameRates = new double[ROUNDS];
                double[] rawRates = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    frameRates[r] = rate(frame, ROUND_NANOS);
                    rawRates[r] = rate(raw, ROUND_NANOS);
                    ratios[r] = frameRates[r] / rawRates[r];
                }
                long tid = Thread.currentThread().getId();
                long a0 = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 10_000; i++) {
                    frame.run();
                }
                long a1 = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 10_000; i++) {
                    raw.run();
                }
                long a2 = threads.getThreadAllocatedBytes(tid);
                System.out.printf("%-38s %6d %12.0f %12.0f %9.2f %11d %9d%n",
                        SuiteRegistry.standard().require(suiteId).name(), size, median(frameRates), median(rawRates),
                        median(ratios), (a1 - a0) / 10_000, (a2 - a1) / 10_000);
            }
        }
    }

    private static double rate(Op op, long nanos) throws Exception {
        long start = System.nanoTime();
        long n = 0;
        long now;
        do {
            for (int i = 0; i < 16; i++) {
                op.run();
            }
            n += 16;
            now = System.nanoTime();
        } while (now - start < nanos);
        return n * 1e9 / (now - start);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
