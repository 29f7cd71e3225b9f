package io.hpl.server.benchmark;

import io.hpl.server.training.MethodName;
import java.util.List;
import java.util.Map;

/** A row of the benchmark table: a method with the settings that make it this variant. */
record BenchmarkVariant(String label, MethodName method, Map<String, String> hyperParameters) {
    /** The protocol's strong view (swap 0.3 + noise 0.1): what the reference run used. */
    static final Map<String, String> PROTOCOL_VIEW = Map.of("swap_probability", "0.3", "strong_noise", "0.1");
    /** The product's default strong view (noise 0.1 only). */
    static final Map<String, String> PRODUCT_VIEW = Map.of("swap_probability", "0.0", "strong_noise", "0.1");

    /**
     * The image track's rows, each method with its defaults: the four methods. Flips are
     * spelled out though off by default, because a mirrored image has the opposite angle; the
     * strong view's ops are photometric only, so no view rotates an image.
     */
    static List<BenchmarkVariant> images() {
        Map<String, String> noFlip = Map.of("flip", "none");
        return List.of(
                new BenchmarkVariant("SUPERVISED", MethodName.SUPERVISED, noFlip),
                new BenchmarkVariant("PSEUDO_LABEL", MethodName.PSEUDO_LABEL, noFlip),
                new BenchmarkVariant("HPL", MethodName.HPL, noFlip),
                new BenchmarkVariant("MEAN_TEACHER", MethodName.MEAN_TEACHER, noFlip));
    }

    /** The image rows, then ones run only when named: the authors' image setting λ = 10. */
    static List<BenchmarkVariant> imagesWithExtras() {
        Map<String, String> noFlip = Map.of("flip", "none");
        List<BenchmarkVariant> all = new java.util.ArrayList<>(images());
        all.add(new BenchmarkVariant("PSEUDO_LABEL λ=10", MethodName.PSEUDO_LABEL, with(noFlip, "unlabelled_weight", "10")));
        all.add(new BenchmarkVariant("HPL λ=10", MethodName.HPL, with(noFlip, "unlabelled_weight", "10")));
        return List.copyOf(all);
    }

    static List<BenchmarkVariant> all() {
        return List.of(
                new BenchmarkVariant("SUPERVISED", MethodName.SUPERVISED, Map.of()),
                new BenchmarkVariant("PSEUDO_LABEL [swap]", MethodName.PSEUDO_LABEL, PROTOCOL_VIEW),
                new BenchmarkVariant("HPL_JOINT [swap]", MethodName.HPL_JOINT, PROTOCOL_VIEW),
                new BenchmarkVariant("HPL [swap]", MethodName.HPL, PROTOCOL_VIEW),
                new BenchmarkVariant("PSEUDO_LABEL [noise]", MethodName.PSEUDO_LABEL, PRODUCT_VIEW),
                new BenchmarkVariant("HPL_JOINT [noise]", MethodName.HPL_JOINT, PRODUCT_VIEW),
                new BenchmarkVariant("HPL [noise]", MethodName.HPL, PRODUCT_VIEW),
                new BenchmarkVariant("HPL row-g [noise]", MethodName.HPL, with(PRODUCT_VIEW, "uncertainty_input", "row")),
                new BenchmarkVariant("MEAN_TEACHER [noise]", MethodName.MEAN_TEACHER, PRODUCT_VIEW),
                // The authors' image setting λ = w_ulb = 10 (docs/decisions.md, "λ, λ₂ and the meta period").
                new BenchmarkVariant("PSEUDO_LABEL λ=10 [noise]", MethodName.PSEUDO_LABEL,
                        with(PRODUCT_VIEW, "unlabelled_weight", "10")),
                new BenchmarkVariant("HPL λ=10 [noise]", MethodName.HPL, with(PRODUCT_VIEW, "unlabelled_weight", "10")),
                new BenchmarkVariant("GBDT", MethodName.GBDT, Map.of()),
                new BenchmarkVariant("HPL_GBDT", MethodName.HPL_GBDT, Map.of()),
                new BenchmarkVariant("AUTO", MethodName.AUTO, Map.of()),
                new BenchmarkVariant("GBDT_LONG", MethodName.GBDT, Map.of("trees", "600", "learning_rate", "0.03",
                        "subsample", "0.8", "column_sample", "0.8", "min_child_weight", "10")));
    }

    /** The tabular rows, then ones run only when named: HPL serving its learned σ² whatever held-out NLL says. */
    static List<BenchmarkVariant> allWithExtras() {
        List<BenchmarkVariant> all = new java.util.ArrayList<>(allWithPacked());
        all.add(new BenchmarkVariant("HPL per-row σ² [noise]", MethodName.HPL, with(PRODUCT_VIEW, "served_variance", "per_row")));
        return List.copyOf(all);
    }

    /**
     * The packed MLP ensemble ("the strong MLP"): K=8 members of 64,64 over piecewise-linear encoded
     * numeric columns (16 bins), Adam 3e-4, early stopping on the calibration rows' MAE evaluated every
     * 20 iterations with patience 10. Tuned briefly on house_lucas γ=10% (seeds 0–2). Run only when
     * named (-Dhpl.benchmark.variants=...).
     */
    static final Map<String, String> STRONG_MLP = Map.of("tabular_backbone", "packed_ensemble", "ensemble_size", "8",
            "embedding_bins", "16", "hidden_layers", "64,64", "learning_rate", "3e-4", "head_learning_rate", "3e-4",
            "early_stopping_patience", "10", "progress_every", "20");

    static List<BenchmarkVariant> packed() {
        return List.of(
                new BenchmarkVariant("SUPERVISED packed", MethodName.SUPERVISED, STRONG_MLP),
                new BenchmarkVariant("HPL packed [noise]", MethodName.HPL, with(PRODUCT_VIEW, STRONG_MLP)));
    }

    /** {@link #all()}, then the packed-backbone rows. */
    static List<BenchmarkVariant> allWithPacked() {
        List<BenchmarkVariant> all = new java.util.ArrayList<>(all());
        all.addAll(packed());
        return List.copyOf(all);
    }

    private static Map<String, String> with(Map<String, String> base, Map<String, String> more) {
        var m = new java.util.HashMap<>(base);
        m.putAll(more);
        return Map.copyOf(m);
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        var m = new java.util.HashMap<>(base);
        m.put(key, value);
        return Map.copyOf(m);
    }
}
