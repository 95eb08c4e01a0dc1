package org.opencluster.auth.bench.stats;

import java.util.Arrays;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) of two independent samples, two-sided, by the normal approximation
 * with the tie correction and a continuity correction of 1/2: the test {@code bin/bench --only name-timing} uses to
 * ask whether a known name's answer time comes from another distribution than an unknown name's. It compares ranks,
 * so a few scheduler outliers of a busy machine do not decide it, as they would a t-test on means. Valid for the
 * sample sizes it is used with (hundreds to thousands each); for fewer than about 20 per sample use exact tables.
 */
public final class MannWhitney {
    /**
     * @param u1 U of the first sample: the number of pairs (x, y) with x > y, ties counting 1/2
     * @param z  standardised U1 (continuity-corrected toward the mean)
     * @param p  two-sided p-value
     */
    public record Result(double u1, double u2, double z, double p) {
    }

    private MannWhitney() {
    }

    public static Result test(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        if (n1 == 0 || n2 == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        int n = n1 + n2;
        // Sort (value, sample) pairs; equal values share the mean of the ranks they occupy.
        double[] values = new double[n];
        boolean[] first = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            values[i] = i < n1 ? x[i] : y[i - n1];
            first[i] = i < n1;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double rankSum1 = 0;
        double tieTerm = 0; // sum over tie groups of t^3 - t
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double meanRank = (i + j) / 2.0 + 1; // ranks i+1 .. j+1
            for (int k = i; k <= j; k++) {
                if (first[order[k]]) {
                    rankSum1 += meanRank;
                }
            }
            double t = j - i + 1;
            tieTerm += t * t * t - t;
            i = j + 1;
        }
        double u1 = rankSum1 - n1 * (n1 + 1) / 2.0;
        double u2 = (double) n1 * n2 - u1;
        double mean = n1 * (double) n2 / 2;
        double variance = n1 * (double) n2 / 12 * ((n + 1) - tieTerm / ((double) n * (n - 1)));
        if (variance <= 0) {
            return new Result(u1, u2, 0, 1); // every value equal: nothing tells the samples apart
        }
        double d = u1 - mean;
        double corrected = Math.signum(d) * Math.max(0, Math.abs(d) - 0.5);
        double z = corrected / Math.sqrt(variance);
        double p = Math.min(1, erfc(Math.abs(z) / Math.sqrt(2)));
        return new Result(u1, u2, z, p);
    }

    /**
     * The complementary error function for x >= 0: below 3 as 1 - erf(x) with erf's series of positive terms
     * {@code erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^k x^(2k+1) / (1*3*...*(2k+1))}; from 3 on by Laplace's continued
     * fraction {@code erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}, evaluated from the
     * bottom, which keeps small p-values accurate (double precision to far below any p-value worth printing).
     */
    static double erfc(double x) {
        if (x < 0) {
            throw new IllegalArgumentException("x >= 0");
        }
        if (x < 3) {
            double term = x;
            double sum = x;
            for (int k = 1; k < 200 && term > 1e-17 * sum; k++) {
                term *= 2 * x * x / (2 * k + 1);
                sum += term;
            }
            return 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
        }
        double f = x;
        for (int k = 80; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
    }

    /** The q-quantile (0..1) of sorted values, by linear interpolation between the closest ranks. */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
