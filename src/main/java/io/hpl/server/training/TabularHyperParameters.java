package io.hpl.server.training;

import java.util.List;

/**
 * Hyperparameters of tabular datasets' backbone and of early stopping. Defaults keep the plain MLP
 * without early stopping, so that runs that name none of these train as before.
 */
public final class TabularHyperParameters {
    /** The network f_θ of a tabular dataset. */
    public enum Backbone { MLP, PACKED_ENSEMBLE }

    public static final HyperParameter<Backbone> TABULAR_BACKBONE = HyperParameter.choice(
            "tabular_backbone", Backbone.MLP, "mlp (one MLP of hidden_layers) or packed_ensemble (ensemble_size"
                    + " MLPs of hidden_layers packed in one network, one call per layer for all members, output = their"
                    + " mean, over piecewise-linear encoded numeric features)").tablesOnly();
    public static final HyperParameter<Integer> ENSEMBLE_SIZE = HyperParameter.integer(
            "ensemble_size", 8, 1, 32, "packed_ensemble: members K (each with its own weights)").tablesOnly();
    public static final HyperParameter<Integer> EMBEDDING_BINS = HyperParameter.integer(
            "embedding_bins", 16, 0, 256, "packed_ensemble: piecewise-linear encoding of each numeric column"
                    + " with bins at quantiles of the training rows (fewer where values repeat); 0 = the standardised"
                    + " value as is").tablesOnly();
    public static final HyperParameter<Integer> EARLY_STOPPING_PATIENCE = HyperParameter.integer(
            "early_stopping_patience", 0, 0, 1_000_000, "stop after this many progress evaluations (every"
                    + " progress_every iterations) without a lower MAE on the calibration rows and serve the best"
                    + " iterate's weights; 0 = off (train all iterations, serve the last)").tablesOnly();

    public static final List<HyperParameter<?>> ALL = List.of(
            TABULAR_BACKBONE, ENSEMBLE_SIZE, EMBEDDING_BINS, EARLY_STOPPING_PATIENCE);

    private TabularHyperParameters() {
    }
}
