package io.hpl.server.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.model.ConformalScores;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegressionMetricsTest {
    /** Gaussian errors of the stated σ: the Gaussian intervals' curve sits on the diagonal. */
    @Test
    void reliabilityCurveOfCalibratedGaussianErrorsIsDiagonal() {
        Random random = new Random(1);
        int n = 20_000;
        double[] y = new double[n];
        double[] mean = new double[n];
        double[] variance = new double[n];
        for (int i = 0; i < n; i++) {
            variance[i] = 0.5 + random.nextDouble();
            y[i] = Math.sqrt(variance[i]) * random.nextGaussian();
        }
        Metrics m = RegressionMetrics.compute(y, mean, variance);
        assertEquals(RegressionMetrics.LEVELS.length, m.reliability().size());
        for (CoveragePoint p : m.reliability()) {
            assertEquals(p.level(), p.coverage(), 0.015, "level " + p.level());
        }
        assertEquals(m.coverage90(), m.intervalCoverage(0.9), 1e-12, "Gaussian intervals are what coverage_90 measures");
        assertTrue(Double.isNaN(m.intervalCoverage(0.33)), "not on the curve");
    }

    /** Conformal intervals measured on their own calibration rows cover at least the level (by construction). */
    @Test
    void conformalCoverageOnItsCalibrationRowsIsAtLeastTheLevel() {
        Random random = new Random(2);
        double[] y = new double[101];
        double[] variance = new double[y.length];
        Arrays.fill(variance, 9);
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextGaussian() * (1 + 5 * random.nextDouble());
        }
        double[] mean = new double[y.length];
        Metrics m = RegressionMetrics.compute(y, mean, variance, ConformalScores.of(y, mean, variance));
        for (CoveragePoint p : m.reliability()) {
            assertTrue(p.coverage() >= p.level() && p.coverage() <= p.level() + 2.0 / y.length, p.toString());
        }
    }
}
