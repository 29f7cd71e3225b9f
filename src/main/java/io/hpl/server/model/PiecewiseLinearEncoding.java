package io.hpl.server.model;

/**
 * Piecewise-linear encoding of numeric features (Gorishniy et al., NeurIPS 2022), on standardised
 * rows [N, inputs] → [N, outputs]: output i reads input {@code source[i]} and is
 * max(min((x − lower[i]) / width[i], upper[i]), floor[i]). For the bins of one numeric column the
 * bounds are 0 and 1, except that the column's first bin has no floor and its last bin no ceiling
 * (±∞: values beyond the training range extrapolate linearly, as in the paper). One-hot inputs and
 * unbinned numeric ones pass through (lower 0, width 1, bounds ±∞).
 */
public record PiecewiseLinearEncoding(int inputs, int[] source, float[] lower, float[] width, float[] floor,
                                      float[] upper) {
    public PiecewiseLinearEncoding {
        int n = source.length;
        if (lower.length != n || width.length != n || floor.length != n || upper.length != n) {
            throw new IllegalArgumentException("encoding arrays differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (source[i] < 0 || source[i] >= inputs) {
                throw new IllegalArgumentException("encoding output " + i + " reads input " + source[i]
                        + " of " + inputs);
            }
            if (!(width[i] > 0) || !Float.isFinite(width[i])) {
                throw new IllegalArgumentException("encoding output " + i + " has width " + width[i]);
            }
        }
    }

    /** Every input passed through as it is (no bins). */
    public static PiecewiseLinearEncoding identity(int inputs) {
        int[] source = new int[inputs];
        float[] lower = new float[inputs];
        float[] width = new float[inputs];
        float[] floor = new float[inputs];
        float[] upper = new float[inputs];
        for (int j = 0; j < inputs; j++) {
            source[j] = j;
            width[j] = 1f;
            floor[j] = Float.NEGATIVE_INFINITY;
            upper[j] = Float.POSITIVE_INFINITY;
        }
        return new PiecewiseLinearEncoding(inputs, source, lower, width, floor, upper);
    }

    public int outputs() {
        return source.length;
    }
}
