package io.hpl.server.model;

import java.util.Arrays;

/**
 * Split-conformal calibration normalised by σ: the scores s_i = |y_i − μ_i| / σ_i of the held-out
 * calibration rows, sorted. For level α, q is the ⌈(n+1)·α⌉-th smallest score, so that μ ± q·σ
 * covers a new exchangeable row with probability ≥ α; +∞ when ⌈(n+1)·α⌉ > n (too few rows for
 * that level). A global scale of σ² cancels out of q·σ, so it may be fitted on the same rows.
 */
public record ConformalScores(double[] sorted) implements IntervalRule {
    public ConformalScores {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("conformal calibration needs at least one row");
        }
        sorted = sorted.clone();
        Arrays.sort(sorted);
    }

    public static ConformalScores of(double[] y, double[] mean, double[] variance) {
        double[] scores = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            scores[i] = Math.abs(y[i] - mean[i]) / Math.sqrt(Math.max(variance[i], MIN_VARIANCE));
        }
        return new ConformalScores(scores);
    }

    @Override
    public double multiplier(double level) {
        int n = sorted.length;
        // The tolerance keeps (n+1)·0.9 = 90.00000000000001 from rounding up to the next rank.
        long rank = (long) Math.ceil((n + 1) * level - 1e-9);
        if (rank > n) {
            return Double.POSITIVE_INFINITY;
        }
        return sorted[(int) Math.max(rank, 1) - 1];
    }
}
