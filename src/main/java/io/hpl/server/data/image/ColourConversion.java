package io.hpl.server.data.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded image as channel-major floats in [0, 1] with the channels a model takes: RGB becomes
 * grey by luminance (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B), grey becomes RGB by repetition.
 * Alpha is dropped, not composited.
 */
final class ColourConversion {
    private static final double RED = 0.299;
    private static final double GREEN = 0.587;
    private static final double BLUE = 0.114;

    private ColourConversion() {
    }

    /** {@code channels} × height × width floats, at the image's own size. */
    static float[] toChannels(BufferedImage image, int channels) {
        return isGrey(image.getColorModel()) ? fromGrey(image, channels) : fromRgb(image, channels);
    }

    /**
     * Grey images are read from their raster: {@link BufferedImage#getRGB} would treat the grey
     * values as linear and gamma-encode them, changing every pixel of a grey PNG.
     */
    private static boolean isGrey(ColorModel model) {
        return !(model instanceof IndexColorModel)
                && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && model.getNumColorComponents() == 1;
    }

    private static float[] fromGrey(BufferedImage image, int channels) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        float max = (float) ((1L << image.getColorModel().getComponentSize(0)) - 1); // 255 for 8 bits, 65535 for 16
        Raster raster = image.getRaster();
        int[] row = new int[w];
        float[] out = new float[channels * plane];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                out[y * w + x] = row[x] / max;
            }
        }
        for (int c = 1; c < channels; c++) {
            System.arraycopy(out, 0, out, c * plane, plane);
        }
        return out;
    }

    private static float[] fromRgb(BufferedImage image, int channels) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w); // palette, 16-bit and ICC profiles end up as 8-bit sRGB
        float[] out = new float[channels * plane];
        for (int i = 0; i < plane; i++) {
            int r = (argb[i] >> 16) & 0xFF;
            int g = (argb[i] >> 8) & 0xFF;
            int b = argb[i] & 0xFF;
            if (channels == 1) {
                out[i] = (float) ((RED * r + GREEN * g + BLUE * b) / 255.0);
            } else {
                out[i] = r / 255f;
                out[plane + i] = g / 255f;
                out[2 * plane + i] = b / 255f;
            }
        }
        return out;
    }
}
