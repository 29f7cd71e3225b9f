package io.hpl.server.training;

/**
 * σ² = s·σ²_raw, with s fitted on held-out labelled rows to minimise the Gaussian NLL. For a scale
 * the minimiser has a closed form, s = mean(e²/σ²_raw); with σ²_raw ≡ 1 it is the residual variance.
 * It is never fitted on training rows: the networks fit those far better than new rows.
 */
public final class VarianceCalibration {
    private VarianceCalibration() {
    }

    public static double scale(double[] y, double[] mean, double[] rawVariance) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            double e = y[i] - mean[i];
            sum += e * e / Math.max(rawVariance[i], 1e-12);
        }
        return Math.max(sum / y.length, 1e-12);
    }
}
