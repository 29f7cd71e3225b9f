package io.hpl.server.training;

import java.util.List;

/**
 * Hyperparameters every method shares. Defaults follow the benchmark protocol
 * (docs/benchmark-protocol.md: MLP 256-256, dropout 0.05, Adam 1e-3, batch 128, 4,000 iterations).
 */
public final class CommonHyperParameters {
    public static final HyperParameter<Integer> ITERATIONS = HyperParameter.integer(
            "iterations", 4000, 1, 1_000_000, "optimisation steps");
    public static final HyperParameter<Integer> BATCH_SIZE = HyperParameter.integer(
            "batch_size", 128, 1, 65_536, "labelled rows per step (and unlabelled rows per step for semi-supervised methods)");
    public static final HyperParameter<List<Integer>> HIDDEN_LAYERS = HyperParameter.integerList(
            "hidden_layers", List.of(256, 256), 1, 8192, "widths of the backbone's hidden layers (ReLU, dropout after each)")
            .tablesOnly();
    public static final HyperParameter<Double> DROPOUT = HyperParameter.real(
            "dropout", 0.05, 0.0, 0.9, "dropout probability after each hidden layer during training");
    public static final HyperParameter<Double> LEARNING_RATE = HyperParameter.real(
            "learning_rate", 1e-3, 1e-7, 1.0, "Adam learning rate of the backbone");
    public static final HyperParameter<Double> HEAD_LEARNING_RATE = HyperParameter.real(
            "head_learning_rate", 1e-3, 1e-7, 1.0, "Adam learning rate of the linear head (HPL's virtual-step rate)");
    public static final HyperParameter<Double> WEIGHT_DECAY = HyperParameter.real(
            "weight_decay", 1e-5, 0.0, 1.0, "L2 penalty added to the backbone's gradient (Adam, coupled)");
    public static final HyperParameter<Double> HEAD_WEIGHT_DECAY = HyperParameter.real(
            "head_weight_decay", 0.0, 0.0, 1.0, "L2 penalty added to the head's gradient (Adam, coupled)");
    public static final HyperParameter<Double> WEAK_NOISE = HyperParameter.real(
            "weak_noise", 0.05, 0.0, 10.0, "std of the Gaussian noise of the weak view, in standardised feature units (labelled batches get it too)")
            .tablesOnly();
    public static final HyperParameter<Double> CALIBRATION_FRACTION = HyperParameter.real(
            "calibration_fraction", 0.2, 0.01, 0.5, "share of labelled rows held out of training to calibrate sigma^2 and report validation metrics");
    public static final HyperParameter<Integer> PROGRESS_EVERY = HyperParameter.integer(
            "progress_every", 100, 1, 1_000_000, "iterations between progress events");

    /** In the order ListMethods shows them; the tabular backbone's, then the image datasets' own ones (backbone, views) last. */
    public static final List<HyperParameter<?>> ALL = join(List.of(
            ITERATIONS, BATCH_SIZE, HIDDEN_LAYERS, DROPOUT, LEARNING_RATE, HEAD_LEARNING_RATE,
            WEIGHT_DECAY, HEAD_WEIGHT_DECAY, WEAK_NOISE, CALIBRATION_FRACTION, PROGRESS_EVERY),
            TabularHyperParameters.ALL, ImageHyperParameters.ALL);

    @SafeVarargs
    private static List<HyperParameter<?>> join(List<HyperParameter<?>>... lists) {
        List<HyperParameter<?>> all = new java.util.ArrayList<>();
        for (List<HyperParameter<?>> list : lists) {
            all.addAll(list);
        }
        return List.copyOf(all);
    }

    private CommonHyperParameters() {
    }
}
