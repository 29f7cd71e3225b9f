package io.hpl.server.model;

/**
 * f_θ as engine-free weights: a map from a standardised input row (length {@link #inputs()}) to
 * one output, a backbone then a linear head. Tabular data uses an {@link Mlp} or a {@link PackedMlp}; images a
 * {@link ConvNet}, which reads the row as a channel-major image; tables may also use gradient-boosted
 * {@link TreeEnsemble}s, and AUTO a {@link Blend} of several regressors.
 */
public sealed interface Regressor permits Mlp, ConvNet, PackedMlp, TreeEnsemble, Blend {
    int inputs();

    int outputs();

    /** Calls the visitor's method for this variant. */
    <T> T accept(Visitor<T> visitor);

    /**
     * One method per variant: dispatch that the compiler checks (Java 17 has no pattern switch), so a
     * new variant does not compile until every trainer, forward pass and exporter handles it.
     */
    interface Visitor<T> {
        T mlp(Mlp mlp);

        T packedMlp(PackedMlp packed);

        T convNet(ConvNet conv);

        T trees(TreeEnsemble trees);

        T blend(Blend blend);
    }
}
