package io.hpl.server.model;

/**
 * Per-input affine map x' = (x − mean) / std, fitted on training rows. A missing input (NaN) is
 * first replaced by {@link #missingFill()}; training ({@code PreparedData}), the DJL forward and
 * the ONNX graph all take the fill from here, so the rule lives in one place.
 */
public record Standardizer(float[] mean, float[] std) {
    public Standardizer {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean and std differ in length");
        }
    }

    public int width() {
        return mean.length;
    }

    /**
     * What a missing input becomes before standardising: the training rows' mean, so it
     * standardises to exactly 0, the neutral value; the column's missing indicator tells the
     * model that it was missing.
     */
    public float[] missingFill() {
        return mean;
    }

    /** One input standardised, NaN imputed first: the same float32 ops as the graph (Where, Sub, Div). */
    public float standardise(int input, float raw) {
        float value = Float.isNaN(raw) ? missingFill()[input] : raw;
        return (value - mean[input]) / std[input];
    }
}
