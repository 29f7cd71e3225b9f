package io.hpl.server.training.views;

import io.hpl.server.data.ImageInput;

/**
 * The strong view's photometric operations on one raw channel-major (CHW) image with values in
 * [0, 1], after PIL's (which FixMatch's RandAugment calls). A magnitude m in (0, 1] sets each op's
 * strength; {@code increase} picks the direction of the enhancement ops:
 * <ul>
 * <li>AUTOCONTRAST: each channel's [min, max] mapped linearly onto [0, 1] (unchanged if flat); ignores m.
 * <li>BRIGHTNESS: x·f, with f = 1 ± 0.9·m ({@link #factor}).
 * <li>CONTRAST: μ + f·(x − μ), μ the mean of all the image's values (its mean grey), same f.
 * <li>EQUALIZE: per-channel histogram equalisation over the 256 eight-bit levels, PIL's
 *     {@code ImageOps.equalize} look-up table; ignores m.
 * <li>POSTERIZE: the eight-bit level keeps its top 8 − round(4·m) bits.
 * <li>SHARPNESS: b + f·(x − b), b the image smoothed per channel with PIL's SMOOTH kernel
 *     [[1,1,1],[1,5,1],[1,1,1]]/13 on interior pixels (border pixels are their own b), same f.
 * <li>SOLARIZE: values ≥ 1 − m become 1 − x.
 * </ul>
 * {@link #apply} clips the result to [0, 1], as PIL's eight-bit images do after every op. Eight-bit
 * levels are round(x·255): images are decoded as level/255, and rounding recovers the level
 * exactly after the float error of standardising and back, where flooring could drop one.
 * Holds scratch buffers for one image size, so an instance serves one thread.
 */
final class PhotometricOps {
    private static final int LEVELS = 256;

    private final ImageInput shape;
    private final float[] smoothed;
    private final int[] histogram = new int[LEVELS];
    private final int[] lookup = new int[LEVELS];

    PhotometricOps(ImageInput shape) {
        this.shape = shape;
        this.smoothed = new float[shape.height() * shape.width()];
    }

    /** Applies {@code op} at magnitude m in place, then clips to [0, 1]. */
    void apply(PhotometricOp op, float[] image, double magnitude, boolean increase) {
        switch (op) {
            case AUTOCONTRAST -> autocontrast(image);
            case BRIGHTNESS -> brightness(image, factor(magnitude, increase));
            case CONTRAST -> contrast(image, factor(magnitude, increase));
            case EQUALIZE -> equalize(image);
            case POSTERIZE -> posterize(image, keptBits(magnitude));
            case SHARPNESS -> sharpness(image, factor(magnitude, increase));
            case SOLARIZE -> solarize(image, (float) (1 - magnitude));
        }
        clip(image, 0, image.length);
    }

    /** The enhancement ops' blend factor: 1 ± 0.9·m, so in [0.1, 1.9] (0 would erase the image). */
    static float factor(double magnitude, boolean increase) {
        return (float) (1 + (increase ? 0.9 : -0.9) * magnitude);
    }

    /** Bits POSTERIZE keeps at magnitude m: 8 (no change) down to 4 at m = 1. */
    static int keptBits(double magnitude) {
        return 8 - (int) Math.round(4 * magnitude);
    }

    /** x ← centre + f·(x − centre) on [from, to): the common form of brightness and contrast. */
    static void scaleAbout(float[] image, int from, int to, float centre, float f) {
        for (int i = from; i < to; i++) {
            image[i] = centre + f * (image[i] - centre);
        }
    }

    static void clip(float[] image, int from, int to) {
        for (int i = from; i < to; i++) {
            image[i] = Math.min(1f, Math.max(0f, image[i]));
        }
    }

    void brightness(float[] image, float f) {
        scaleAbout(image, 0, shape.values(), 0f, f);
    }

    void contrast(float[] image, float f) {
        double sum = 0;
        for (int i = 0; i < shape.values(); i++) {
            sum += image[i];
        }
        scaleAbout(image, 0, shape.values(), (float) (sum / shape.values()), f);
    }

    void autocontrast(float[] image) {
        int plane = shape.height() * shape.width();
        for (int from = 0; from < shape.values(); from += plane) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = from; i < from + plane; i++) {
                min = Math.min(min, image[i]);
                max = Math.max(max, image[i]);
            }
            if (max > min) {
                float scale = 1f / (max - min);
                for (int i = from; i < from + plane; i++) {
                    image[i] = (image[i] - min) * scale;
                }
            }
        }
    }

    void sharpness(float[] image, float f) {
        int h = shape.height();
        int w = shape.width();
        for (int c = 0; c < shape.channels(); c++) {
            int plane = c * h * w;
            System.arraycopy(image, plane, smoothed, 0, h * w); // border pixels are their own blur
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    int i = plane + y * w + x;
                    float sum = image[i - w - 1] + image[i - w] + image[i - w + 1]
                            + image[i - 1] + 5 * image[i] + image[i + 1]
                            + image[i + w - 1] + image[i + w] + image[i + w + 1];
                    smoothed[y * w + x] = sum / 13f;
                }
            }
            for (int i = 0; i < h * w; i++) {
                float b = smoothed[i];
                image[plane + i] = b + f * (image[plane + i] - b);
            }
        }
    }

    static void posterize(float[] image, int bits) {
        int mask = ~((1 << (8 - bits)) - 1) & 0xFF;
        for (int i = 0; i < image.length; i++) {
            image[i] = (level(image[i]) & mask) / 255f;
        }
    }

    static void solarize(float[] image, float threshold) {
        for (int i = 0; i < image.length; i++) {
            if (image[i] >= threshold) {
                image[i] = 1f - image[i];
            }
        }
    }

    /**
     * PIL's equalize per channel: with step = (pixels − count of the top used level) / 256
     * (integer division), level i maps to (step/2 + pixels below level i) / step, at most 255;
     * a channel with one used level or step 0 is left as it is.
     */
    void equalize(float[] image) {
        int plane = shape.height() * shape.width();
        for (int from = 0; from < shape.values(); from += plane) {
            java.util.Arrays.fill(histogram, 0);
            for (int i = from; i < from + plane; i++) {
                histogram[level(image[i])]++;
            }
            int used = 0;
            int top = 0;
            for (int count : histogram) {
                if (count > 0) {
                    used++;
                    top = count;
                }
            }
            int step = (plane - top) / LEVELS;
            if (used <= 1 || step == 0) {
                continue;
            }
            int n = step / 2;
            for (int i = 0; i < LEVELS; i++) {
                lookup[i] = Math.min(255, n / step);
                n += histogram[i];
            }
            for (int i = from; i < from + plane; i++) {
                image[i] = lookup[level(image[i])] / 255f;
            }
        }
    }

    /** The eight-bit level of a value, clamped to [0, 255]. */
    static int level(float x) {
        return Math.min(255, Math.max(0, Math.round(x * 255f)));
    }
}
