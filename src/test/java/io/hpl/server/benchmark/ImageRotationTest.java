package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageRotationTest {
    private static final int H = 28;
    private static final int W = 28;

    private static float[] withPixel(int r, int c) {
        float[] image = new float[H * W];
        image[r * W + c] = 1f;
        return image;
    }

    @Test
    void zeroDegreesIsTheIdentity() {
        float[] image = new float[H * W];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i * 37 % 256) / 255f;
        }
        assertArrayEquals(image, ImageRotation.rotate(image, H, W, 0));
    }

    @Test
    void positiveNinetyDegreesTurnsCounterClockwise() {
        // An asymmetric image: a bright pixel right of the centre, on the centre row pair's upper row
        // (centre = (13.5, 13.5)). Counter-clockwise by 90° takes "right of centre" to "above centre":
        // (r, c) → (W − 1 − c, r) for a square image.
        float[] rotated = ImageRotation.rotate(withPixel(13, 25), H, W, 90);
        assertEquals(1f, rotated[(W - 1 - 25) * W + 13], 1e-5f);
        assertEquals(0f, sumExcept(rotated, (W - 1 - 25) * W + 13), 1e-5f);
        // And −90° is clockwise: right of centre goes below it, (r, c) → (c, H − 1 − r).
        float[] back = ImageRotation.rotate(withPixel(13, 25), H, W, -90);
        assertEquals(1f, back[25 * W + (H - 1 - 13)], 1e-5f);
    }

    @Test
    void outsideTheSourceIsBlack() {
        float[] white = new float[H * W];
        Arrays.fill(white, 1f);
        float[] rotated = ImageRotation.rotate(white, H, W, 45);
        assertEquals(0f, rotated[0], 1e-6f); // corners come from outside the source
        assertEquals(1f, rotated[14 * W + 14], 1e-6f); // the centre stays inside
    }

    @Test
    void bilinearIsExactOnALinearRamp() {
        // Bilinear interpolation reproduces a linear image exactly, so inside the canvas the rotated ramp
        // value(r, c) = c / 27 must equal the source column that output pixel comes from.
        float[] ramp = new float[H * W];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (i % W) / 27f;
        }
        double theta = Math.toRadians(30);
        float[] rotated = ImageRotation.rotate(ramp, H, W, 30);
        for (int r = 8; r < 20; r++) {
            for (int c = 8; c < 20; c++) {
                double dx = c - 13.5;
                double dy = 13.5 - r;
                double sourceColumn = 13.5 + dx * Math.cos(theta) + dy * Math.sin(theta);
                assertEquals(sourceColumn / 27, rotated[r * W + c], 1e-5, "(" + r + ", " + c + ")");
            }
        }
    }

    private static float sumExcept(float[] image, int skip) {
        float sum = 0;
        for (int i = 0; i < image.length; i++) {
            sum += i == skip ? 0 : image[i];
        }
        return sum;
    }
}
