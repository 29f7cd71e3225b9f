package io.hpl.server.evaluation;

import java.util.List;

/**
 * Scores of a model on labelled rows, in target units. {@code spearmanVarianceAbsError} is NaN when
 * σ² is the same for every row (a rank correlation with a constant is undefined). {@code coverage90}
 * is the Gaussian interval's (mean ± 1.6449·σ); {@code reliability} is the coverage of the served
 * intervals (conformal, see {@link io.hpl.server.model.IntervalRule}) at {@link RegressionMetrics#LEVELS},
 * empty for metrics stored before it.
 */
public record Metrics(
        long rows, double mae, double rmse, double r2, double nll, double coverage90, double spearmanVarianceAbsError,
        List<CoveragePoint> reliability) {
    public Metrics {
        reliability = reliability == null ? List.of() : List.copyOf(reliability);
    }

    /** Without interval coverage (metrics from before it, and tests). */
    public Metrics(long rows, double mae, double rmse, double r2, double nll, double coverage90,
                   double spearmanVarianceAbsError) {
        this(rows, mae, rmse, r2, nll, coverage90, spearmanVarianceAbsError, List.of());
    }

    /** The served interval's coverage at {@code level}, NaN when it was not measured. */
    public double intervalCoverage(double level) {
        return reliability.stream().filter(p -> Math.abs(p.level() - level) < 1e-9).mapToDouble(CoveragePoint::coverage)
                .findFirst().orElse(Double.NaN);
    }
}
