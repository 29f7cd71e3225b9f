package io.hpl.server.data.image;

/**
 * Bilinear resampling of channel-major planes with half-pixel centres (PyTorch's
 * {@code interpolate(mode="bilinear", align_corners=False)} and PIL's convention), without
 * antialiasing: a strong downscale samples rather than averages.
 */
final class BilinearResize {
    private BilinearResize() {
    }

    static float[] resize(float[] chw, int channels, int srcH, int srcW, int dstH, int dstW) {
        if (srcH == dstH && srcW == dstW) {
            return chw;
        }
        int[] y0 = new int[dstH];
        int[] y1 = new int[dstH];
        float[] fy = new float[dstH];
        weights(srcH, dstH, y0, y1, fy);
        int[] x0 = new int[dstW];
        int[] x1 = new int[dstW];
        float[] fx = new float[dstW];
        weights(srcW, dstW, x0, x1, fx);

        float[] out = new float[channels * dstH * dstW];
        for (int c = 0; c < channels; c++) {
            int src = c * srcH * srcW;
            int dst = c * dstH * dstW;
            for (int y = 0; y < dstH; y++) {
                int top = src + y0[y] * srcW;
                int bottom = src + y1[y] * srcW;
                for (int x = 0; x < dstW; x++) {
                    float upper = chw[top + x0[x]] + fx[x] * (chw[top + x1[x]] - chw[top + x0[x]]);
                    float lower = chw[bottom + x0[x]] + fx[x] * (chw[bottom + x1[x]] - chw[bottom + x0[x]]);
                    out[dst + y * dstW + x] = upper + fy[y] * (lower - upper);
                }
            }
        }
        return out;
    }

    /** For each output index: the two source indices it lies between and the weight of the second. */
    private static void weights(int src, int dst, int[] lo, int[] hi, float[] frac) {
        double scale = (double) src / dst;
        for (int i = 0; i < dst; i++) {
            double s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), src - 1);
            lo[i] = (int) Math.floor(s);
            hi[i] = Math.min(lo[i] + 1, src - 1);
            frac[i] = (float) (s - lo[i]);
        }
    }
}
