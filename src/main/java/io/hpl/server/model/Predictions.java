package io.hpl.server.model;

/** Per-row predicted mean and σ² (squared target units), in row order. */
public record Predictions(double[] mean, double[] variance) {
    public Predictions {
        if (mean.length != variance.length) {
            throw new IllegalArgumentException(mean.length + " means but " + variance.length + " variances");
        }
    }

    public int size() {
        return mean.length;
    }
}
