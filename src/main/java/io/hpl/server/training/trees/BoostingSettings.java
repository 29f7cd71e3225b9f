package io.hpl.server.training.trees;

/**
 * One boosted-tree fit, in XGBoost's terms. Trees grow leaf-wise ("lossguide") up to
 * {@code maxLeaves} leaves, as LightGBM and scikit-learn's HistGradientBoosting do.
 */
public record BoostingSettings(
        int rounds,
        double learningRate,
        int maxLeaves,
        double minChildWeight,
        double l2,
        double subsample,
        double columnSample,
        int maxBins) {

    /** The same settings with another number of rounds. */
    public BoostingSettings withRounds(int newRounds) {
        return new BoostingSettings(newRounds, learningRate, maxLeaves, minChildWeight, l2, subsample, columnSample, maxBins);
    }
}
