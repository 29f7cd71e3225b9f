package io.hpl.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntervalRuleTest {
    /** q is the ⌈(n+1)·α⌉-th smallest score, +∞ past the n-th. */
    @Test
    void conformalMultiplierIsTheRankedScore() {
        ConformalScores scores = new ConformalScores(new double[] {9, 1, 8, 2, 7, 3, 6, 4, 5}); // n = 9, sorted 1..9
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, scores.sorted());
        assertEquals(9, scores.multiplier(0.9), "ceil(10 * 0.9) = 9");
        assertEquals(5, scores.multiplier(0.5), "ceil(10 * 0.5) = 5");
        assertEquals(1, scores.multiplier(0.01), "rank 1 at the lowest levels");
        assertEquals(Double.POSITIVE_INFINITY, scores.multiplier(0.95), "ceil(10 * 0.95) = 10 > 9 rows");
        assertEquals(Double.POSITIVE_INFINITY, scores.halfWidth(0, 0.95), "infinite even where sigma is 0");
        assertEquals(9 * 2, scores.halfWidth(4, 0.9), 1e-12, "q times sigma");
        assertThrows(IllegalArgumentException.class, () -> new ConformalScores(new double[0]));
    }

    @Test
    void scoresAreResidualsOverSigma() {
        ConformalScores scores = ConformalScores.of(new double[] {1, 5, -2}, new double[] {0, 1, 0}, new double[] {4, 16, 1});
        assertArrayEquals(new double[] {0.5, 1, 2}, scores.sorted(), 1e-12);
    }

    @Test
    void gaussianMultiplierIsTheNormalQuantile() {
        GaussianIntervals gaussian = new GaussianIntervals();
        assertEquals(1.6448536269514722, gaussian.multiplier(0.9), 1e-8);
        assertEquals(1.959963984540054, gaussian.multiplier(0.95), 1e-8);
        assertEquals(0.6744897501960817, gaussian.multiplier(0.5), 1e-8);
        assertEquals(3.2905267314919255, gaussian.multiplier(0.999), 1e-7);
        assertTrue(gaussian.multiplier(0.1) > 0);
    }
}
