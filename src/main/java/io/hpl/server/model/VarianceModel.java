package io.hpl.server.model;

/**
 * How a model computes σ² for a row, in squared target units. Every variant is exported into
 * the ONNX graph so that ONNX Runtime alone computes it.
 */
public sealed interface VarianceModel permits ConstantVariance, ViewLearnedVariance, RowLearnedVariance,
        ResidualTreeVariance {
    /** One sentence for ModelInfo.variance_definition and the docs. */
    String definition();

    /** Calls the visitor's method for this variant. */
    <T> T accept(Visitor<T> visitor);

    /** One method per variant: dispatch that the compiler checks (see {@link Regressor.Visitor}). */
    interface Visitor<T> {
        T constant(ConstantVariance constant);

        T viewLearned(ViewLearnedVariance view);

        T rowLearned(RowLearnedVariance row);

        T residualTrees(ResidualTreeVariance trees);
    }
}
