package io.hpl.server.training.views;

import io.hpl.server.data.ImageInput;
import java.util.Arrays;

/**
 * The image views' geometric pixel operations on raw channel-major (CHW) images: the weak view's
 * crop and flip and the strong view's cutout. Plain loops over float arrays, since they run on
 * every image of every training step.
 */
final class GeometricOps {
    private GeometricOps() {
    }

    /**
     * {@code target(y, x) = source(y + dy, x + dx)}, reading outside the image from its reflection
     * (torchvision's "reflect" padding: the edge pixel is not repeated). Cropping the image padded
     * by p at offset (oy, ox) is the translation (oy − p, ox − p).
     */
    static void translate(float[] source, float[] target, ImageInput shape, int dy, int dx) {
        int h = shape.height();
        int w = shape.width();
        for (int c = 0; c < shape.channels(); c++) {
            int plane = c * h * w;
            for (int y = 0; y < h; y++) {
                int from = plane + reflect(y + dy, h) * w;
                int to = plane + y * w;
                for (int x = 0; x < w; x++) {
                    target[to + x] = source[from + reflect(x + dx, w)];
                }
            }
        }
    }

    /** Index i folded into [0, n) by reflection about the first and last pixels, for any i. */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int folded = Math.floorMod(i, period);
        return folded < n ? folded : period - folded;
    }

    /** Mirrors every row in place (left becomes right). */
    static void flipHorizontal(float[] image, ImageInput shape) {
        int w = shape.width();
        for (int row = 0; row < shape.channels() * shape.height(); row++) {
            for (int left = row * w, right = left + w - 1; left < right; left++, right--) {
                float t = image[left];
                image[left] = image[right];
                image[right] = t;
            }
        }
    }

    /**
     * Sets a square of side {@code side} centred on (centreY, centreX) to {@code value} in every
     * channel, clipped where it leaves the image (FixMatch's cutout; the centre is any pixel).
     */
    static void fillSquare(float[] image, ImageInput shape, int centreY, int centreX, int side, float value) {
        int h = shape.height();
        int w = shape.width();
        int y0 = Math.max(0, centreY - side / 2);
        int y1 = Math.min(h, centreY - side / 2 + side);
        int x0 = Math.max(0, centreX - side / 2);
        int x1 = Math.min(w, centreX - side / 2 + side);
        if (x0 >= x1) {
            return;
        }
        for (int c = 0; c < shape.channels(); c++) {
            for (int y = y0; y < y1; y++) {
                int row = (c * h + y) * w;
                Arrays.fill(image, row + x0, row + x1, value);
            }
        }
    }
}
