package io.hpl.server.training.auto;

import io.hpl.server.training.MethodName;
import java.util.List;
import java.util.Map;

/**
 * A model AUTO may train: a method with the settings that make it strong on tables. The list is
 * ordered by cost, cheapest first, so a short time budget still gets the trees.
 */
record AutoCandidate(String name, MethodName method, Map<String, String> hyperParameters) {
    /**
     * The strong tabular MLP: a packed ensemble of 8 MLPs (64-64) on piecewise-linear encodings of the
     * numeric columns, stopped early on the calibration MAE (best iterate restored). On house_lucas
     * γ = 10% it matched scikit-learn's GBDT (MAE 0.2630 vs 0.2629, seeds 0–2) where the default MLP
     * got 0.3031. The calibration rows pick its stopping iteration, so its own calibration score is
     * slightly optimistic; one number chosen on a few hundred rows.
     */
    static final Map<String, String> STRONG_MLP = Map.of("tabular_backbone", "packed_ensemble", "ensemble_size", "8",
            "embedding_bins", "16", "hidden_layers", "64,64", "learning_rate", "3e-4", "head_learning_rate", "3e-4",
            "early_stopping_patience", "10", "progress_every", "20");

    /** The candidates for a table; the semi-supervised ones only when it has unlabelled rows. */
    static List<AutoCandidate> forTable(boolean hasUnlabelled) {
        List<AutoCandidate> all = new java.util.ArrayList<>();
        all.add(new AutoCandidate("GBDT", MethodName.GBDT, Map.of()));
        // Slower learning with row and column sampling: wins where labels are many and the signal smooth
        // (diamonds), loses where they are few and noisy; held-out rows decide.
        all.add(new AutoCandidate("GBDT_LONG", MethodName.GBDT, Map.of("trees", "600", "learning_rate", "0.03",
                "subsample", "0.8", "column_sample", "0.8", "min_child_weight", "10")));
        if (hasUnlabelled) {
            all.add(new AutoCandidate("HPL_GBDT", MethodName.HPL_GBDT, Map.of()));
        }
        all.add(new AutoCandidate("MLP", MethodName.SUPERVISED, STRONG_MLP));
        if (hasUnlabelled) {
            all.add(new AutoCandidate("HPL_MLP", MethodName.HPL, STRONG_MLP));
        }
        return List.copyOf(all);
    }
}
