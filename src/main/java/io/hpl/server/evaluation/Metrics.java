package io.hpl.server.evaluation;

/**
 * Scores of a model on labelled rows, in target units. {@code spearmanVarianceAbsError} is NaN when
 * σ² is the same for every row (a rank correlation with a constant is undefined).
 */
public record Metrics(
        long rows, double mae, double rmse, double r2, double nll, double coverage90, double spearmanVarianceAbsError) {
}
