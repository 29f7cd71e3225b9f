package io.hpl.server.training.views;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hpl.server.data.ImageInput;
import org.junit.jupiter.api.Test;

class GeometricOpsTest {
    @Test
    void translationMovesASingleBrightPixel() {
        ImageInput shape = new ImageInput(1, 5, 5);
        float[] source = new float[25];
        source[2 * 5 + 2] = 1f;
        float[] target = new float[25];
        GeometricOps.translate(source, target, shape, 1, -2); // target(y, x) = source(y + 1, x - 2)
        float[] expected = new float[25];
        expected[1 * 5 + 4] = 1f;
        expected[1 * 5 + 0] = 1f; // column -2 reflects onto column 2
        assertArrayEquals(expected, target);
    }

    @Test
    void translationReflectsBordersWithoutRepeatingTheEdge() {
        ImageInput shape = new ImageInput(1, 1, 5);
        float[] ramp = {0f, 1f, 2f, 3f, 4f};
        float[] target = new float[5];
        GeometricOps.translate(ramp, target, shape, 0, -2);
        assertArrayEquals(new float[] {2f, 1f, 0f, 1f, 2f}, target);
        GeometricOps.translate(ramp, target, shape, 0, 2);
        assertArrayEquals(new float[] {2f, 3f, 4f, 3f, 2f}, target);
    }

    @Test
    void reflectionFoldsIndicesFarOutside() {
        assertEquals(0, GeometricOps.reflect(7, 1));
        assertEquals(1, GeometricOps.reflect(-1, 3));
        assertEquals(2, GeometricOps.reflect(-2, 3));
        assertEquals(1, GeometricOps.reflect(3, 3));
        assertEquals(0, GeometricOps.reflect(4, 3));
        assertEquals(1, GeometricOps.reflect(5, 3));
    }

    @Test
    void flipMirrorsEveryRowOfEveryChannel() {
        ImageInput shape = new ImageInput(3, 2, 3);
        float[] image = new float[18];
        for (int i = 0; i < 18; i++) {
            image[i] = i;
        }
        GeometricOps.flipHorizontal(image, shape);
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 17, 16, 15}, image);
    }

    @Test
    void squareIsFilledInEveryChannelAndClippedAtTheBorder() {
        ImageInput shape = new ImageInput(3, 6, 6);
        float[] image = new float[shape.values()];
        GeometricOps.fillSquare(image, shape, 3, 3, 4, 0.5f); // rows and columns 1..4
        assertEquals(3 * 16, count(image, 0.5f));
        for (int c = 0; c < 3; c++) {
            assertEquals(0.5f, image[c * 36 + 1 * 6 + 1]);
            assertEquals(0.5f, image[c * 36 + 4 * 6 + 4]);
            assertEquals(0f, image[c * 36 + 5 * 6 + 4]);
            assertEquals(0f, image[c * 36 + 0 * 6 + 1]);
        }

        float[] corner = new float[shape.values()];
        GeometricOps.fillSquare(corner, shape, 0, 0, 4, 0.5f); // rows and columns -2..1, clipped to 0..1
        assertEquals(3 * 4, count(corner, 0.5f));
        assertEquals(0.5f, corner[1 * 6 + 1]);
    }

    static int count(float[] image, float value) {
        int n = 0;
        for (float v : image) {
            if (v == value) {
                n++;
            }
        }
        return n;
    }
}
