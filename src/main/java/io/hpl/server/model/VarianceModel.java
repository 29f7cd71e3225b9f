package io.hpl.server.model;

/**
 * How a model computes σ² for a row, in squared target units. Every variant is exported into
 * the ONNX graph so that ONNX Runtime alone computes it.
 */
public sealed interface VarianceModel permits ConstantVariance, ViewLearnedVariance, RowLearnedVariance,
        ResidualTreeVariance {
    /** One sentence for ModelInfo.variance_definition and the docs. */
    String definition();
}
