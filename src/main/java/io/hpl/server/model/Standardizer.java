package io.hpl.server.model;

/** Per-input affine map x' = (x − mean) / std, fitted on training rows. */
public record Standardizer(float[] mean, float[] std) {
    public Standardizer {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean and std differ in length");
        }
    }

    public int width() {
        return mean.length;
    }
}
