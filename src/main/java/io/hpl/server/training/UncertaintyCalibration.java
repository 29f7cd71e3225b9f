package io.hpl.server.training;

import io.hpl.server.evaluation.RegressionMetrics;
import io.hpl.server.model.ConformalScores;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.model.VarianceModel;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleFunction;
import java.util.stream.IntStream;

/**
 * Turns held-out calibration rows into the served uncertainty, for every method: whether σ² is per
 * row or constant, its scale, and the conformal scores behind the served intervals. Engine-free.
 *
 * <p>A per-row σ² is served only where it beats a constant one on held-out NLL. Both candidates'
 * scales are fitted on one half of the calibration rows and scored on the other, and vice versa
 * (cross-fitting: a scale fitted and scored on the same rows flatters whichever has more freedom);
 * the winner's scale is then refitted on all of them ({@link VarianceCalibration#scale}).
 */
public final class UncertaintyCalibration {
    /** Below this many calibration rows the halves are too small for the comparison to mean anything. */
    public static final int MIN_ROWS_TO_COMPARE = 20;
    /** A fixed split, so that the same run always makes the same choice. */
    private static final long SPLIT_SEED = 0x5EEDL;

    private UncertaintyCalibration() {
    }

    /** {@link #fit(double[], double[], double[], DoubleFunction, ServedVariance)} with {@link ServedVariance#AUTO}. */
    public static CalibratedUncertainty fit(double[] y, double[] mean, double[] rawVariance,
                                            DoubleFunction<VarianceModel> perRowModel) {
        return fit(y, mean, rawVariance, perRowModel, ServedVariance.AUTO);
    }

    /**
     * @param y           targets of the calibration rows (target units)
     * @param mean        the model's means on them (target units)
     * @param rawVariance the method's σ² before calibration on them (any positive unit; constant if it has none)
     * @param perRowModel the served per-row σ² model for a scale s (σ² = s·raw), e.g. {@code MethodSession::variance}
     * @param policy      AUTO compares; PER_ROW and CONSTANT force the choice (a constant raw σ² is constant anyway)
     */
    public static CalibratedUncertainty fit(double[] y, double[] mean, double[] rawVariance,
                                            DoubleFunction<VarianceModel> perRowModel, ServedVariance policy) {
        int n = y.length;
        if (n == 0 || mean.length != n || rawVariance.length != n) {
            throw new IllegalArgumentException("need the same, non-zero number of targets, means and raw variances");
        }
        if (isConstant(rawVariance)) {
            return constant(y, mean, "constant sigma^2 served: the method learns no per-row sigma^2");
        }
        return switch (policy) {
            case CONSTANT -> constant(y, mean, "constant sigma^2 served: served_variance=constant");
            case PER_ROW -> perRow(y, mean, rawVariance, perRowModel, "per-row sigma^2 served: served_variance=per_row");
            case AUTO -> n < MIN_ROWS_TO_COMPARE
                    ? constant(y, mean, "constant sigma^2 served: " + n + " calibration rows are too few to test a per-row"
                    + " sigma^2 against a constant one (need " + MIN_ROWS_TO_COMPARE + ")")
                    : compared(y, mean, rawVariance, perRowModel);
        };
    }

    private static CalibratedUncertainty compared(double[] y, double[] mean, double[] raw,
                                                  DoubleFunction<VarianceModel> perRowModel) {
        double[] ones = new double[y.length];
        Arrays.fill(ones, 1.0);
        int[][] halves = halves(y.length);
        double perRowNll = crossFittedNll(y, mean, raw, halves);
        double constantNll = crossFittedNll(y, mean, ones, halves);
        String scores = String.format(Locale.ROOT, "cross-fitted held-out NLL %.4f per-row vs %.4f constant on %d calibration rows",
                perRowNll, constantNll, y.length);
        if (Double.isFinite(perRowNll) && perRowNll < constantNll) {
            return perRow(y, mean, raw, perRowModel, "per-row sigma^2 served: " + scores);
        }
        return constant(y, mean, "constant sigma^2 served (the per-row one did not beat it): " + scores);
    }

    /** Mean Gaussian NLL over both halves, each scored with the scale fitted on the other. */
    static double crossFittedNll(double[] y, double[] mean, double[] raw, int[][] halves) {
        double sum = 0;
        for (int k = 0; k < 2; k++) {
            int[] fit = halves[k];
            int[] score = halves[1 - k];
            double scale = VarianceCalibration.scale(pick(y, fit), pick(mean, fit), pick(raw, fit));
            for (int i : score) {
                double v = Math.max(scale * raw[i], IntervalRule.MIN_VARIANCE);
                double e = y[i] - mean[i];
                sum += 0.5 * (Math.log(2 * Math.PI * v) + e * e / v);
            }
        }
        return sum / y.length;
    }

    private static int[][] halves(int n) {
        List<Integer> order = new java.util.ArrayList<>(IntStream.range(0, n).boxed().toList());
        Collections.shuffle(order, new Random(SPLIT_SEED));
        int[] all = order.stream().mapToInt(Integer::intValue).toArray();
        return new int[][] {Arrays.copyOfRange(all, 0, n / 2), Arrays.copyOfRange(all, n / 2, n)};
    }

    private static double[] pick(double[] values, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    private static CalibratedUncertainty perRow(double[] y, double[] mean, double[] raw,
                                                DoubleFunction<VarianceModel> perRowModel, String note) {
        double scale = VarianceCalibration.scale(y, mean, raw);
        double[] variance = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            variance[i] = scale * raw[i];
        }
        return served(y, mean, variance, perRowModel.apply(scale), true, note);
    }

    private static CalibratedUncertainty constant(double[] y, double[] mean, String note) {
        double[] variance = new double[y.length];
        double[] ones = new double[y.length];
        Arrays.fill(ones, 1.0);
        // Errors are in target units, so the scale is the residual variance itself.
        Arrays.fill(variance, VarianceCalibration.scale(y, mean, ones));
        return served(y, mean, variance, new ConstantVariance(variance[0]), false, note);
    }

    private static CalibratedUncertainty served(double[] y, double[] mean, double[] variance, VarianceModel model,
                                                boolean perRow, String note) {
        ConformalScores conformal = ConformalScores.of(y, mean, variance);
        return new CalibratedUncertainty(model, variance, RegressionMetrics.compute(y, mean, variance, conformal),
                conformal, perRow, note);
    }

    private static boolean isConstant(double[] values) {
        for (double v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }
}
