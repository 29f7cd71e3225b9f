package io.hpl.server.training.trees;

import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.HyperParameters;
import java.util.List;

/**
 * Hyperparameters of the tree methods. The defaults are scikit-learn's HistGradientBoostingRegressor
 * defaults, the model a tabular user fits in one line: 100 rounds at rate 0.1, up to 31 leaves per tree,
 * at least 20 rows a leaf, no L2, 255 bins, no row or column sampling.
 */
public final class TreeHyperParameters {
    public static final HyperParameter<Integer> TREES = HyperParameter.integer(
            "trees", 100, 1, 20_000, "boosting rounds (one tree each)");
    public static final HyperParameter<Double> TREE_LEARNING_RATE = HyperParameter.real(
            "learning_rate", 0.1, 1e-4, 1.0, "shrinkage of each tree's contribution (XGBoost's eta)");
    public static final HyperParameter<Integer> MAX_LEAVES = HyperParameter.integer(
            "max_leaves", 31, 2, 4096, "leaves per tree; trees grow leaf-wise, best split first");
    public static final HyperParameter<Double> MIN_CHILD_WEIGHT = HyperParameter.real(
            "min_child_weight", 20.0, 0.0, 1e6, "least total row weight in a leaf (rows, when every weight is 1)");
    public static final HyperParameter<Double> L2 = HyperParameter.real(
            "l2", 0.0, 0.0, 1e6, "L2 penalty on leaf values (XGBoost's lambda)");
    public static final HyperParameter<Double> SUBSAMPLE = HyperParameter.real(
            "subsample", 1.0, 0.05, 1.0, "share of rows each tree is fitted on");
    public static final HyperParameter<Double> COLUMN_SAMPLE = HyperParameter.real(
            "column_sample", 1.0, 0.05, 1.0, "share of features each tree may split on");
    public static final HyperParameter<Integer> MAX_BINS = HyperParameter.integer(
            "max_bins", 255, 2, 65_535, "histogram bins per feature");
    public static final HyperParameter<Integer> VARIANCE_FOLDS = HyperParameter.integer(
            "variance_folds", 5, 2, 20, "folds of the out-of-fold residuals that the per-row sigma^2 trees learn from");
    public static final HyperParameter<Double> UNLABELLED_WEIGHT = HyperParameter.real(
            "unlabelled_weight", 4.0, 0.0, 1000.0, "HPL_GBDT: total weight of the pseudo-labelled rows relative to the"
                    + " labelled rows' before each row's exp(-z) factor");
    public static final HyperParameter<Integer> TEACHERS = HyperParameter.integer(
            "teachers", 5, 2, 64, "HPL_GBDT: bootstrap fits whose mean is the pseudo-label and whose disagreement is z");

    /** What every tree method takes. */
    public static final List<HyperParameter<?>> GBDT = List.of(TREES, TREE_LEARNING_RATE, MAX_LEAVES, MIN_CHILD_WEIGHT, L2,
            SUBSAMPLE, COLUMN_SAMPLE, MAX_BINS, VARIANCE_FOLDS, CommonHyperParameters.CALIBRATION_FRACTION);
    public static final List<HyperParameter<?>> HPL_GBDT = join(GBDT, List.of(UNLABELLED_WEIGHT, TEACHERS));

    private TreeHyperParameters() {
    }

    public static BoostingSettings settings(HyperParameters hp) {
        return new BoostingSettings(hp.get(TREES), hp.get(TREE_LEARNING_RATE), hp.get(MAX_LEAVES), hp.get(MIN_CHILD_WEIGHT),
                hp.get(L2), hp.get(SUBSAMPLE), hp.get(COLUMN_SAMPLE), hp.get(MAX_BINS));
    }

    private static List<HyperParameter<?>> join(List<HyperParameter<?>> a, List<HyperParameter<?>> b) {
        List<HyperParameter<?>> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
