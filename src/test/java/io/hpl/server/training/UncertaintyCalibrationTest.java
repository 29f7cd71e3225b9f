package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Mlp;
import io.hpl.server.model.RowLearnedVariance;
import io.hpl.server.model.VarianceModel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * A heteroscedastic table, y = 3x + σ(x)·ε with σ(x) = 0.05 + x, x uniform on [0, 1], and a
 * slightly wrong mean: split-conformal intervals from 1,000 calibration rows must cover 90% of
 * 20,000 new rows with a constant σ² and with a per-row one; the per-row one must be chosen when
 * it tracks σ(x), the constant one when the raw σ² is noise.
 */
class UncertaintyCalibrationTest {
    private static final int CALIBRATION = 1_000;
    private static final int TEST = 20_000;
    /** The served per-row model for a scale: what a method's session.variance(scale) is. */
    private static final DoubleFunction<VarianceModel> PER_ROW = scale -> new RowLearnedVariance(
            new Mlp(List.of(new DenseLayer(1, 1, new float[] {0f}, new float[] {0f}))), scale);

    /** x, y, the model's mean and the true σ² of n rows. */
    private record Rows(double[] x, double[] y, double[] mean, double[] trueVariance) {
        static Rows make(int n, long seed) {
            Random random = new Random(seed);
            Rows r = new Rows(new double[n], new double[n], new double[n], new double[n]);
            for (int i = 0; i < n; i++) {
                double x = random.nextDouble();
                double sigma = 0.05 + x;
                r.x[i] = x;
                r.y[i] = 3 * x + sigma * random.nextGaussian();
                r.mean[i] = 3 * x + 0.1 * Math.sin(6 * x); // a model is never exact
                r.trueVariance[i] = sigma * sigma;
            }
            return r;
        }

        /** The raw σ² of a learner that tracks σ(x) up to an unknown scale (7). */
        double[] trackingRaw() {
            return Arrays.stream(trueVariance).map(v -> 7 * v).toArray();
        }
    }

    /** Share of rows with |y − μ| ≤ q·σ, over rows whose x lies in [from, to). */
    private static double coverage(Rows rows, double[] variance, double q, double from, double to) {
        int inside = 0;
        int count = 0;
        for (int i = 0; i < rows.y().length; i++) {
            if (rows.x()[i] >= from && rows.x()[i] < to) {
                count++;
                if (Math.abs(rows.y()[i] - rows.mean()[i]) <= q * Math.sqrt(variance[i])) {
                    inside++;
                }
            }
        }
        return (double) inside / count;
    }

    @Test
    void conformalIntervalsCoverNewRowsWithAConstantSigma() {
        Rows calibration = Rows.make(CALIBRATION, 1);
        Rows test = Rows.make(TEST, 2);
        double[] ones = new double[CALIBRATION];
        Arrays.fill(ones, 1);
        CalibratedUncertainty u = UncertaintyCalibration.fit(calibration.y(), calibration.mean(), ones, PER_ROW);

        assertFalse(u.perRow());
        assertTrue(u.note().startsWith("constant sigma^2 served"), u.note());
        double served = assertInstanceOf(ConstantVariance.class, u.variance()).variance();
        double[] testVariance = new double[TEST];
        Arrays.fill(testVariance, served);
        double q = u.conformal().multiplier(0.9);
        double covered = coverage(test, testVariance, q, 0, 1);
        System.out.printf("constant sigma^2: 90%% conformal coverage %.4f on %d new rows%n", covered, TEST);
        assertTrue(covered >= 0.88 && covered <= 0.92, "coverage " + covered);
        // Marginal only: a constant σ over-covers where the noise is small and under-covers where it is large.
        assertTrue(coverage(test, testVariance, q, 0.8, 1) < 0.85);
    }

    @Test
    void conformalIntervalsCoverNewRowsWithAPerRowSigma() {
        Rows calibration = Rows.make(CALIBRATION, 3);
        Rows test = Rows.make(TEST, 4);
        CalibratedUncertainty u = UncertaintyCalibration.fit(calibration.y(), calibration.mean(),
                calibration.trackingRaw(), PER_ROW);

        assertTrue(u.perRow(), u.note());
        assertTrue(u.note().startsWith("per-row sigma^2 served: cross-fitted held-out NLL"), u.note());
        double scale = assertInstanceOf(RowLearnedVariance.class, u.variance()).scale();
        assertArrayEquals(Arrays.stream(calibration.trackingRaw()).map(v -> scale * v).toArray(), u.calibrationVariance(), 1e-12);
        double[] testVariance = Arrays.stream(test.trackingRaw()).map(v -> scale * v).toArray();
        double q = u.conformal().multiplier(0.9);
        double covered = coverage(test, testVariance, q, 0, 1);
        double low = coverage(test, testVariance, q, 0, 0.2);
        double high = coverage(test, testVariance, q, 0.8, 1);
        System.out.printf("per-row sigma^2: 90%% conformal coverage %.4f on %d new rows (x<0.2: %.4f, x>=0.8: %.4f)%n",
                covered, TEST, low, high);
        assertTrue(covered >= 0.88 && covered <= 0.92, "coverage " + covered);
        // A σ that tracks the noise keeps the level in the quiet and the noisy part alike.
        assertTrue(low >= 0.85 && high >= 0.85, low + " / " + high);
        assertTrue(u.metrics().intervalCoverage(0.9) >= 0.9, "on its own calibration rows, by construction");
        assertTrue(u.metrics().spearmanVarianceAbsError() > 0.25, u.metrics().toString());
    }

    @Test
    void aRawSigmaThatIsNoiseLosesToTheConstant() {
        Rows calibration = Rows.make(CALIBRATION, 5);
        Random random = new Random(6);
        double[] noise = new double[CALIBRATION];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = Math.exp(random.nextGaussian());
        }
        CalibratedUncertainty u = UncertaintyCalibration.fit(calibration.y(), calibration.mean(), noise, PER_ROW);
        assertFalse(u.perRow());
        assertInstanceOf(ConstantVariance.class, u.variance());
        assertTrue(u.note().startsWith("constant sigma^2 served (the per-row one did not beat it)"), u.note());
        // The cross-fitted NLLs are in the note, per-row first: here the per-row one is the larger.
        String[] nll = u.note().replaceAll(".*NLL ([-0-9.]+) per-row vs ([-0-9.]+) constant.*", "$1 $2").split(" ");
        assertTrue(Double.parseDouble(nll[0]) > Double.parseDouble(nll[1]), u.note());

        CalibratedUncertainty forced = UncertaintyCalibration.fit(calibration.y(), calibration.mean(), noise, PER_ROW,
                ServedVariance.PER_ROW);
        assertTrue(forced.perRow());
        assertTrue(forced.metrics().nll() > u.metrics().nll(), "the noise costs NLL even in-sample");
    }

    @Test
    void fewRowsOrAConstantRawSigmaServeTheConstant() {
        Rows calibration = Rows.make(UncertaintyCalibration.MIN_ROWS_TO_COMPARE - 1, 7);
        CalibratedUncertainty few = UncertaintyCalibration.fit(calibration.y(), calibration.mean(),
                calibration.trackingRaw(), PER_ROW);
        assertFalse(few.perRow());
        assertTrue(few.note().contains("too few"), few.note());

        double[] twos = new double[calibration.y().length];
        Arrays.fill(twos, 2);
        CalibratedUncertainty flat = UncertaintyCalibration.fit(calibration.y(), calibration.mean(), twos, PER_ROW,
                ServedVariance.PER_ROW);
        assertFalse(flat.perRow());
        assertTrue(flat.note().contains("learns no per-row"), flat.note());
        double residualVariance = 0;
        for (int i = 0; i < twos.length; i++) {
            residualVariance += Math.pow(calibration.y()[i] - calibration.mean()[i], 2) / twos.length;
        }
        assertEquals(residualVariance, ((ConstantVariance) flat.variance()).variance(), 1e-12);
        assertTrue(Double.isFinite(flat.conformal().multiplier(0.95)), "19 rows: rank ceil(20 * 0.95) = 19 exists");
        assertEquals(Double.POSITIVE_INFINITY, flat.conformal().multiplier(0.96), "rank ceil(20 * 0.96) = 20 does not");
    }
}
