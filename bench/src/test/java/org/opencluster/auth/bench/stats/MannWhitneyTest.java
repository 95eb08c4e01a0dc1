package org.opencluster.auth.bench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The statistics of {@code bin/bench --only name-timing} against values worked by hand and by an independent
 * implementation (SciPy 1.17 {@code scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic',
 * use_continuity=True)} and {@code scipy.special.erfc}).
 */
class MannWhitneyTest {
    @Test
    void aSmallTextbookSampleWithoutTies() {
        // U1 by hand: pairs with x > y are 19: 3, 22: 4, 16: 2, 29: 4, 24: 4, so U1 = 17 of n1 n2 = 20.
        MannWhitney.Result r = MannWhitney.test(new double[] {19, 22, 16, 29, 24}, new double[] {20, 11, 17, 12});
        assertEquals(17, r.u1());
        assertEquals(3, r.u2());
        assertEquals(0.11134688653314041, r.p(), 1e-12);
    }

    @Test
    void tiesShrinkTheVariance() {
        double[] a = {1.1, 2.2, 2.2, 3.0, 4.5, 5.0, 5.0, 5.0, 7.3, 8.0, 9.1, 10.0};
        double[] b = {0.5, 2.2, 3.0, 3.0, 3.1, 4.0, 5.0, 6.2, 6.2, 6.5};
        MannWhitney.Result r = MannWhitney.test(a, b);
        assertEquals(72.5, r.u1());
        assertEquals(0.42630207628110994, r.p(), 1e-12);
        MannWhitney.Result swapped = MannWhitney.test(b, a);
        assertEquals(r.p(), swapped.p(), 1e-15, "two-sided: the order of the samples does not matter");
        assertEquals(-r.z(), swapped.z(), 1e-12);
    }

    @Test
    void identicalAndSeparatedSamples() {
        assertEquals(1, MannWhitney.test(new double[] {5, 5, 5}, new double[] {5, 5}).p());
        double[] low = new double[1000];
        double[] high = new double[1000];
        for (int i = 0; i < 1000; i++) {
            low[i] = i;
            high[i] = 1000 + i;
        }
        MannWhitney.Result r = MannWhitney.test(low, high);
        assertEquals(0, r.u1());
        assertTrue(r.p() < 1e-300 || r.p() == 0, "no overlap at all: p = " + r.p());
    }

    @Test
    void erfcAgreesWithAnIndependentImplementation() {
        double[][] cases = {{0, 1.0}, {0.5, 0.4795001221869535}, {1, 0.15729920705028516},
            {2.9, 4.109787809945884e-05}, {3, 2.2090496998585445e-05}, {5, 1.5374597944280347e-12}};
        for (double[] c : cases) {
            assertEquals(c[1], MannWhitney.erfc(c[0]), c[1] * 1e-9, "erfc(" + c[0] + ")");
        }
    }

    @Test
    void quantilesInterpolate() {
        double[] s = {1, 2, 3, 4};
        assertEquals(1, MannWhitney.quantile(s, 0));
        assertEquals(2.5, MannWhitney.quantile(s, 0.5));
        assertEquals(4, MannWhitney.quantile(s, 1));
    }
}
