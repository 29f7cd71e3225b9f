package io.hpl.server.training.trees;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.model.Regressor;
import io.hpl.server.model.ResidualTreeVariance;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.training.CalibratedUncertainty;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.UncertaintyCalibration;
import java.util.Map;

/**
 * Turns a fitted tabular regressor into a {@link TrainingOutcome}: the residual trees' per-row σ² or a
 * constant, whichever {@link UncertaintyCalibration} finds better on the held-out calibration rows, with
 * its scale, conformal scores and calibration metrics.
 */
public final class TreeOutcome {
    private TreeOutcome() {
    }

    /**
     * @param calibrationOutput the regressor's outputs on the calibration rows, standardised target units; for a
     *                          blend, its cross-fitted outputs, so that the conformal scores stay honest
     * @param logVariance       trees for log σ²(x), standardised units (see {@link ResidualVariance})
     */
    public static TrainingOutcome of(DatasetSchema schema, PreparedData data, Regressor regressor,
                                     double[] calibrationOutput, TreeEnsemble logVariance, long unlabelledUsed,
                                     double millis, Map<String, Double> diagnostics) {
        double[] y = data.calibrationY();
        double[] mean = toTargetUnits(data, calibrationOutput);
        double[] raw = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            raw[i] = Math.exp(logVariance.predict(data.calibrationX()[i]));
        }
        CalibratedUncertainty u = UncertaintyCalibration.fit(y, mean, raw, s -> new ResidualTreeVariance(logVariance, s));
        TrainedModel model = new TrainedModel(schema, data.features(), regressor, data.target(), u.variance());
        return new TrainingOutcome(model, u.metrics(), data.labelledX().length, unlabelledUsed, y.length, millis,
                Map.copyOf(diagnostics), u.conformal(), u.note());
    }

    /** Standardised outputs → target units, as the exported graph does. */
    public static double[] toTargetUnits(PreparedData data, double[] output) {
        double[] mean = new double[output.length];
        for (int i = 0; i < output.length; i++) {
            mean[i] = data.target().mean() + data.target().std() * output[i];
        }
        return mean;
    }

    /** MAE in target units on the calibration rows of outputs in standardised units. */
    public static double meanAbsoluteError(PreparedData data, double[] calibrationOutput) {
        double[] mean = toTargetUnits(data, calibrationOutput);
        double sum = 0;
        for (int i = 0; i < mean.length; i++) {
            sum += Math.abs(mean[i] - data.calibrationY()[i]);
        }
        return sum / mean.length;
    }

    /** A tree ensemble's outputs on rows, standardised target units. */
    public static double[] predict(TreeEnsemble trees, float[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = trees.predict(rows[i]);
        }
        return out;
    }
}
