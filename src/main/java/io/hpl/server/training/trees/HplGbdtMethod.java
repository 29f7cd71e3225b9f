package io.hpl.server.training.trees;

import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The paper's heteroscedastic pseudo-labels carried to gradient-boosted trees. A teacher of
 * bootstrap fits labels every unlabelled row with its mean; its disagreement on that row is the
 * row's uncertainty, z = log(σ²_j / median σ²). A student is then fitted on the labelled rows
 * (weight 1) and the pseudo-labelled rows, each weighted by exp(−z_j), so uncertain pseudo-labels
 * count less. Trees have no gradient through which g_φ could learn z bi-level, so z is the
 * ensemble's disagreement (an estimate of the pseudo-label's error variance) instead.
 */
public final class HplGbdtMethod implements TrainingMethod {
    /** Keeps single rows from dominating (exp(3) ≈ 20× the median weight) or vanishing entirely. */
    private static final double Z_MIN = -3;
    private static final double Z_MAX = 6;

    @Override
    public MethodName name() {
        return MethodName.HPL_GBDT;
    }

    @Override
    public String description() {
        return "heteroscedastic pseudo-labels for gradient-boosted trees: a bootstrap teacher labels the unlabelled rows,"
                + " a student learns from labels and pseudo-labels weighted by exp(-z), z the teacher's disagreement;"
                + " tables only";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return TreeHyperParameters.HPL_GBDT;
    }

    @Override
    public boolean takesImages() {
        return false;
    }

    @Override
    public boolean semiSupervised() {
        return true;
    }

    @Override
    public TrainingOutcome train(TrainingRun run) {
        long start = System.nanoTime();
        PreparedData data = GbdtMethod.prepare(run);
        TrainingMethod.requireUnlabelledRows(name(), data.unlabelledX().length, "the dataset");
        HyperParameters hp = run.hyperParameters();
        BoostingSettings settings = TreeHyperParameters.settings(hp);
        PseudoLabels pseudo = teach(data, settings, hp.get(TreeHyperParameters.TEACHERS), run.seed());
        TreeEnsemble student = fitStudent(data, settings, pseudo, hp.get(TreeHyperParameters.UNLABELLED_WEIGHT), run.seed());
        double[] calibration = TreeOutcome.predict(student, data.calibrationX());
        GbdtMethod.report(run, data, 1, student, calibration);
        TreeEnsemble logVariance = GbdtMethod.residualVariance(run, data, settings);
        GbdtMethod.report(run, data, GbdtMethod.STAGES, student, calibration);
        double[] sortedZ = pseudo.z().clone();
        Arrays.sort(sortedZ);
        return TreeOutcome.of(run.table().schema(), data, student, calibration, logVariance, data.unlabelledX().length,
                (System.nanoTime() - start) / 1e6 / settings.rounds(), Map.of(
                        "teacher_calibration_mae", TreeOutcome.meanAbsoluteError(data, pseudo.teacherOnCalibration()),
                        "z_p10", sortedZ[sortedZ.length / 10], "z_p90", sortedZ[sortedZ.length * 9 / 10]));
    }

    /** Pseudo-labels (standardised units), their z, and the teacher's outputs on the calibration rows. */
    record PseudoLabels(float[] labels, double[] z, double[] teacherOnCalibration) {
    }

    static PseudoLabels teach(PreparedData data, BoostingSettings settings, int teachers, long seed) {
        int n = data.labelledX().length;
        int u = data.unlabelledX().length;
        double[] sum = new double[u];
        double[] squares = new double[u];
        double[] calibration = new double[data.calibrationX().length];
        Random random = new Random(seed * 31 + 7);
        for (int b = 0; b < teachers; b++) {
            float[][] x = new float[n][];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                int k = random.nextInt(n);
                x[i] = data.labelledX()[k];
                y[i] = data.labelledY()[k];
            }
            TreeEnsemble teacher = GradientBoosting.fit(x, y, null, data.width(), settings, seed * 100 + b);
            for (int j = 0; j < u; j++) {
                double p = teacher.predict(data.unlabelledX()[j]);
                sum[j] += p;
                squares[j] += p * p;
            }
            for (int i = 0; i < calibration.length; i++) {
                calibration[i] += teacher.predict(data.calibrationX()[i]) / teachers;
            }
        }
        float[] labels = new float[u];
        double[] variance = new double[u];
        for (int j = 0; j < u; j++) {
            double m = sum[j] / teachers;
            labels[j] = (float) m;
            variance[j] = Math.max(squares[j] / teachers - m * m, 0) + 1e-12;
        }
        double[] sorted = variance.clone();
        Arrays.sort(sorted);
        double median = sorted[u / 2];
        double[] z = new double[u];
        for (int j = 0; j < u; j++) {
            z[j] = Math.max(Z_MIN, Math.min(Z_MAX, Math.log(variance[j] / median)));
        }
        return new PseudoLabels(labels, z, calibration);
    }

    /** Labelled rows at weight 1, pseudo-labelled rows at λ·(n/u)·exp(−z_j): λ sets their total against the labels'. */
    static TreeEnsemble fitStudent(PreparedData data, BoostingSettings settings, PseudoLabels pseudo, double lambda,
                                   long seed) {
        int n = data.labelledX().length;
        int u = data.unlabelledX().length;
        float[][] x = new float[n + u][];
        float[] y = new float[n + u];
        float[] w = new float[n + u];
        for (int i = 0; i < n; i++) {
            x[i] = data.labelledX()[i];
            y[i] = data.labelledY()[i];
            w[i] = 1f;
        }
        double perRow = lambda * n / u;
        for (int j = 0; j < u; j++) {
            x[n + j] = data.unlabelledX()[j];
            y[n + j] = pseudo.labels()[j];
            w[n + j] = (float) (perRow * Math.exp(-pseudo.z()[j]));
        }
        return GradientBoosting.fit(x, y, w, data.width(), settings, seed);
    }
}
