package io.hpl.server.training.trees;

import io.hpl.server.errors.HplException;
import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.TrainingCancelledException;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingProgress;
import io.hpl.server.training.TrainingRun;
import java.util.List;
import java.util.Map;

/**
 * Gradient-boosted trees on the labelled training rows, with a per-row σ² from trees on the
 * out-of-fold residuals. What a tabular user would fit instead of calling this server, served
 * like every other model (one ONNX graph).
 */
public final class GbdtMethod implements TrainingMethod {
    /** Stages reported as progress "iterations": the mean model, then the σ² model. */
    static final int STAGES = 2;

    @Override
    public MethodName name() {
        return MethodName.GBDT;
    }

    @Override
    public String description() {
        return "gradient-boosted trees (XGBoost, histogram method, leaf-wise) on the labelled rows; sigma^2 from trees"
                + " fitted to out-of-fold residuals; tables only";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return TreeHyperParameters.GBDT;
    }

    @Override
    public boolean takesImages() {
        return false;
    }

    @Override
    public boolean semiSupervised() {
        return false;
    }

    @Override
    public TrainingOutcome train(TrainingRun run) {
        long start = System.nanoTime();
        PreparedData data = prepare(run);
        BoostingSettings settings = TreeHyperParameters.settings(run.hyperParameters());
        int d = data.width();
        TreeEnsemble trees = GradientBoosting.fit(data.labelledX(), data.labelledY(), null, d, settings, run.seed());
        double[] calibration = TreeOutcome.predict(trees, data.calibrationX());
        report(run, data, 1, trees, calibration);
        TreeEnsemble logVariance = residualVariance(run, data, settings);
        report(run, data, STAGES, trees, calibration);
        return TreeOutcome.of(run.table().schema(), data, trees, calibration, logVariance, 0,
                (System.nanoTime() - start) / 1e6 / settings.rounds(), Map.of("trees", (double) trees.trees().size()));
    }

    /** The split every tree method uses; trees take tables only. */
    static PreparedData prepare(TrainingRun run) {
        if (run.table().schema().isImage()) {
            throw HplException.precondition("tree methods take tabular datasets; for images use SUPERVISED, HPL,"
                    + " PSEUDO_LABEL or MEAN_TEACHER");
        }
        return PreparedData.prepare(run.table(), run.hyperParameters().get(CommonHyperParameters.CALIBRATION_FRACTION),
                run.seed());
    }

    /** log σ² trees from out-of-fold residuals of the same settings on the labelled training rows. */
    static TreeEnsemble residualVariance(TrainingRun run, PreparedData data, BoostingSettings settings) {
        return ResidualVariance.fit(data, settings, run.hyperParameters().get(TreeHyperParameters.VARIANCE_FOLDS),
                run.seed());
    }

    /**
     * A stage done: progress with the mean model's squared error on its training rows (standardised units)
     * and its held-out MAE; a cancel stops the run here.
     */
    static void report(TrainingRun run, PreparedData data, int stage, TreeEnsemble trees, double[] calibrationOutput) {
        if (run.cancelled().getAsBoolean()) {
            throw new TrainingCancelledException(stage);
        }
        double squares = 0;
        for (int i = 0; i < data.labelledX().length; i++) {
            double e = trees.predict(data.labelledX()[i]) - data.labelledY()[i];
            squares += e * e;
        }
        run.progress().accept(new TrainingProgress(stage, STAGES, squares / data.labelledX().length,
                TreeOutcome.meanAbsoluteError(data, calibrationOutput),
                Map.of()));
    }
}
