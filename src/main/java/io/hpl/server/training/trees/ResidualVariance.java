package io.hpl.server.training.trees;

import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.RowShuffle;
import java.util.Random;

/**
 * The tree family's per-row σ²: trees fitted to log r² where r are out-of-fold residuals of the
 * mean model on the labelled training rows. In-sample residuals would be useless (the trees fit their
 * own rows far better than new ones); held-out calibration rows are kept for the scale and the choice.
 */
public final class ResidualVariance {
    /** Heavily smoothed: log r² is one noisy draw per row (log χ²₁ has a spread of about 2.2). */
    private static final BoostingSettings LOG_VARIANCE = new BoostingSettings(100, 0.05, 8, 40, 1.0, 0.8, 1.0, 64);
    /** Keeps log r² finite for rows fitted exactly, in standardised target units. */
    private static final double FLOOR = 1e-6;

    private ResidualVariance() {
    }

    /** log σ² trees from {@code folds}-fold out-of-fold residuals of {@code mean} on the labelled training rows. */
    public static TreeEnsemble fit(PreparedData data, BoostingSettings mean, int folds, long seed) {
        int k = Math.min(folds, data.labelledX().length);
        float[] outOfFold = outOfFold(data.labelledX(), data.labelledY(), data.width(), mean, k, seed);
        return logVariance(data.labelledX(), data.labelledY(), outOfFold, data.width(), seed);
    }

    /**
     * @return out-of-fold predictions of {@code mean} settings for every row (standardised target units);
     *         rows are dealt to folds at random
     */
    static float[] outOfFold(float[][] x, float[] y, int inputs, BoostingSettings mean, int folds, long seed) {
        int n = x.length;
        int[] fold = new int[n];
        Random random = new Random(seed ^ 0x5DEECE66DL);
        int[] order = RowShuffle.of(n, random);
        for (int i = 0; i < n; i++) {
            fold[order[i]] = i % folds;
        }
        float[] predicted = new float[n];
        for (int f = 0; f < folds; f++) {
            int inFold = 0;
            for (int k : fold) {
                inFold += k == f ? 1 : 0;
            }
            float[][] trainX = new float[n - inFold][];
            float[] trainY = new float[n - inFold];
            for (int i = 0, t = 0; i < n; i++) {
                if (fold[i] != f) {
                    trainX[t] = x[i];
                    trainY[t++] = y[i];
                }
            }
            TreeEnsemble trees = GradientBoosting.fit(trainX, trainY, null, inputs, mean, seed + f);
            for (int i = 0; i < n; i++) {
                if (fold[i] == f) {
                    predicted[i] = trees.predict(x[i]);
                }
            }
        }
        return predicted;
    }

    /** Trees for log σ²(x) from the rows' targets and their out-of-fold predictions. */
    static TreeEnsemble logVariance(float[][] x, float[] y, float[] outOfFold, int inputs, long seed) {
        float[] logSquares = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            double r = y[i] - outOfFold[i];
            logSquares[i] = (float) Math.log(r * r + FLOOR);
        }
        BoostingSettings s = x.length < 4 * LOG_VARIANCE.minChildWeight()
                ? new BoostingSettings(LOG_VARIANCE.rounds(), LOG_VARIANCE.learningRate(), LOG_VARIANCE.maxLeaves(),
                        Math.max(1, x.length / 8.0), LOG_VARIANCE.l2(), LOG_VARIANCE.subsample(), 1.0, LOG_VARIANCE.maxBins())
                : LOG_VARIANCE;
        return GradientBoosting.fit(x, logSquares, null, inputs, s, seed + 101);
    }
}
