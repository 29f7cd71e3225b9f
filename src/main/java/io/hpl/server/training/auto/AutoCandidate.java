package io.hpl.server.training.auto;

import io.hpl.server.training.MethodName;
import java.util.List;
import java.util.Map;

/**
 * A model AUTO may train: a method with the settings that make it strong on tables. The list is
 * ordered by cost, cheapest first, so a short time budget still gets the trees.
 */
record AutoCandidate(String name, MethodName method, Map<String, String> hyperParameters) {

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
        all.add(new AutoCandidate("MLP", MethodName.SUPERVISED, Map.of()));
        return List.copyOf(all);
    }
}
