package io.hpl.server.training.views;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.ImageInput;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PhotometricOpsTest {
    private static final float TIGHT = 1e-6f;

    @Test
    void enhancementFactorIsOnePlusOrMinusNineTenthsOfTheMagnitude() {
        assertEquals(1.45f, PhotometricOps.factor(0.5, true), TIGHT);
        assertEquals(0.55f, PhotometricOps.factor(0.5, false), TIGHT);
        assertEquals(0.1f, PhotometricOps.factor(1.0, false), TIGHT);
    }

    @Test
    void brightnessScalesEveryValue() {
        ImageInput shape = new ImageInput(1, 1, 3);
        float[] image = {0f, 0.2f, 0.5f};
        new PhotometricOps(shape).brightness(image, 1.5f);
        assertArrayEquals(new float[] {0f, 0.3f, 0.75f}, image, TIGHT);
    }

    @Test
    void applyClipsToTheUnitInterval() {
        ImageInput shape = new ImageInput(1, 1, 2);
        float[] image = {0.5f, 0.9f};
        new PhotometricOps(shape).apply(PhotometricOp.BRIGHTNESS, image, 1.0, true); // f = 1.9
        assertArrayEquals(new float[] {0.95f, 1f}, image, TIGHT);
    }

    @Test
    void contrastBlendsWithTheMeanGreyOfAllChannels() {
        ImageInput shape = new ImageInput(3, 1, 2);
        float[] image = {0.1f, 0.3f, 0.5f, 0.7f, 0.2f, 0.6f}; // mean grey 0.4
        PhotometricOps ops = new PhotometricOps(shape);
        float[] flat = image.clone();
        ops.contrast(flat, 0f);
        assertArrayEquals(new float[] {0.4f, 0.4f, 0.4f, 0.4f, 0.4f, 0.4f}, flat, TIGHT);
        ops.contrast(image, 1.5f);
        assertArrayEquals(new float[] {-0.05f, 0.25f, 0.55f, 0.85f, 0.1f, 0.7f}, image, TIGHT);
    }

    @Test
    void autocontrastStretchesEachChannelAndLeavesAFlatOneAlone() {
        ImageInput shape = new ImageInput(3, 1, 3);
        float[] image = {0.2f, 0.4f, 0.6f, 0.3f, 0.3f, 0.3f, 0.5f, 0.1f, 0.3f};
        new PhotometricOps(shape).autocontrast(image);
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 0.3f, 0.3f, 0.3f, 1f, 0f, 0.5f}, image, TIGHT);
    }

    @Test
    void sharpnessIsTheIdentityAtOneAndPilsSmoothingAtZero() {
        ImageInput shape = new ImageInput(1, 3, 3);
        float[] spot = new float[9];
        spot[4] = 1f;
        PhotometricOps ops = new PhotometricOps(shape);
        float[] same = spot.clone();
        ops.sharpness(same, 1f);
        assertArrayEquals(spot, same, TIGHT);
        float[] blurred = spot.clone();
        ops.sharpness(blurred, 0f);
        float[] expected = new float[9];
        expected[4] = 5f / 13f; // only the centre is interior; the border keeps its values
        assertArrayEquals(expected, blurred, TIGHT);
    }

    @Test
    void sharpnessBlursACheckerboardInteriorPerChannel() {
        ImageInput shape = new ImageInput(3, 4, 4);
        float[] board = new float[48];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    board[c * 16 + y * 4 + x] = (x + y + c) % 2;
                }
            }
        }
        float[] image = board.clone();
        new PhotometricOps(shape).sharpness(image, 2f); // b + 2(x − b) = 2x − b
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    int i = c * 16 + y * 4 + x;
                    boolean interior = y > 0 && y < 3 && x > 0 && x < 3;
                    // a bright interior pixel has 4 bright neighbours: b = (5 + 4) / 13; a dark one 4 bright: b = 4 / 13
                    float b = !interior ? board[i] : board[i] == 1f ? 9f / 13f : 4f / 13f;
                    assertEquals(2 * board[i] - b, image[i], TIGHT, "pixel " + i);
                }
            }
        }
    }

    @Test
    void posterizeKeepsTheTopBitsOfTheEightBitLevel() {
        assertEquals(8, PhotometricOps.keptBits(0.1));
        assertEquals(6, PhotometricOps.keptBits(0.5));
        assertEquals(4, PhotometricOps.keptBits(1.0));
        float[] ramp = new float[256];
        for (int i = 0; i < 256; i++) {
            ramp[i] = i / 255f;
        }
        PhotometricOps.posterize(ramp, 4);
        Set<Integer> levels = new TreeSet<>();
        for (int i = 0; i < 256; i++) {
            int level = Math.round(ramp[i] * 255);
            assertEquals(level / 255f, ramp[i], TIGHT);
            assertEquals(i & 0xF0, level, "level " + i);
            levels.add(level);
        }
        assertEquals(16, levels.size());
    }

    @Test
    void solarizeInvertsExactlyThePixelsAtOrAboveTheThreshold() {
        float[] image = {0f, 0.3f, 0.69f, 0.7f, 0.9f, 1f};
        PhotometricOps.solarize(image, 0.7f);
        assertArrayEquals(new float[] {0f, 0.3f, 0.69f, 0.3f, 0.1f, 0f}, image, TIGHT);
    }

    @Test
    void equalizeSpreadsADarkRampUniformly() {
        ImageInput shape = new ImageInput(1, 128, 128);
        float[] image = new float[shape.values()];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i % 64) / 255f; // levels 0..63, 256 pixels each
        }
        new PhotometricOps(shape).equalize(image);
        int[] quarters = new int[4];
        float max = 0;
        for (float v : image) {
            quarters[Math.min(3, (int) (v * 4))]++;
            max = Math.max(max, v);
        }
        // PIL: step = (16384 − 256) / 256 = 63, level j → (31 + 256 j) / 63
        assertEquals((31 + 256 * 10) / 63 / 255f, image[10], TIGHT);
        assertEquals(1f, max, TIGHT);
        for (int q : quarters) {
            assertEquals(image.length / 4.0, q, image.length / 64.0);
        }
    }

    @Test
    void equalizeLeavesASingleLevelChannelAlone() {
        ImageInput shape = new ImageInput(3, 32, 32);
        float[] image = new float[shape.values()];
        for (int i = 0; i < 1024; i++) {
            image[i] = 0.4f;
            image[1024 + i] = (i % 4) / 255f;
            image[2048 + i] = (i % 4) / 255f;
        }
        new PhotometricOps(shape).equalize(image);
        assertEquals(0.4f, image[5]);
        assertTrue(image[1024 + 3] > 0.5f, "the second channel is stretched");
    }
}
