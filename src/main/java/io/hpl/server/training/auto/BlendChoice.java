package io.hpl.server.training.auto;

import java.util.Locale;

/**
 * Blend or single candidate, decided honestly on a set of selection rows: the rows are dealt into two
 * halves, weights (and the single best) fitted on one half predict the other, and whichever of the two
 * has the lower cross-fitted MAE is then refitted on all the rows.
 *
 * @param weights     one per candidate, ≥ 0, summing to 1
 * @param crossFitted each selection row's prediction by the chosen rule fitted without it
 * @param reason      the decision with the scores that made it, for ModelInfo
 */
record BlendChoice(double[] weights, double[] crossFitted, String reason) {
    /** Below this many selection rows, halves are too small to fit weights on: the best single is served. */
    static final int MIN_ROWS_TO_BLEND = 20;

    /**
     * @param outputs outputs[k][i]: candidate k on selection row i
     * @param y       the selection rows' targets, in the outputs' units
     * @param rows    what the selection rows are, and in which units, for the reason
     */
    static BlendChoice choose(double[][] outputs, double[] y, long seed, String rows) {
        int n = y.length;
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        if (outputs.length == 1 || n < MIN_ROWS_TO_BLEND) {
            double[] weights = BlendWeights.bestSingle(outputs, y, all);
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = BlendWeights.blend(outputs, weights, i);
            }
            return new BlendChoice(weights, out, outputs.length == 1 ? "only one candidate finished"
                    : "too few selection rows (" + n + ") to fit a blend: the best single candidate on " + rows);
        }
        int[][] halves = BlendWeights.halves(n, seed);
        double[] blendOut = new double[n];
        double[] singleOut = new double[n];
        for (int h = 0; h < 2; h++) {
            double[] blendW = BlendWeights.fit(outputs, y, halves[h]);
            double[] singleW = BlendWeights.bestSingle(outputs, y, halves[h]);
            for (int i : halves[1 - h]) {
                blendOut[i] = BlendWeights.blend(outputs, blendW, i);
                singleOut[i] = BlendWeights.blend(outputs, singleW, i);
            }
        }
        double blendMae = BlendWeights.mae(blendOut, y);
        double singleMae = BlendWeights.mae(singleOut, y);
        boolean blend = blendMae < singleMae;
        double[] weights = blend ? BlendWeights.fit(outputs, y, all) : BlendWeights.bestSingle(outputs, y, all);
        String reason = String.format(Locale.ROOT, "cross-fitted on two halves of %s, the blend's MAE %.4g vs the best"
                + " single candidate's %.4g: %s", rows, blendMae, singleMae, blend ? "serving the blend" : "serving the single best");
        return new BlendChoice(weights, blend ? blendOut : singleOut, reason);
    }
}
