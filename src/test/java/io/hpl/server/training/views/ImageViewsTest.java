package io.hpl.server.training.views;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hpl.server.data.ImageInput;
import io.hpl.server.model.FixedViews;
import io.hpl.server.model.Standardizer;
import io.hpl.server.training.PyTorchEngine;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageViewsTest {
    private static final List<PhotometricOp> NO_OPS = List.of();

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = PyTorchEngine.get().newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void cropMovesABrightPixelByAtMostThePaddingAndReachesEveryOffset() {
        ImageInput shape = new ImageInput(1, 9, 9);
        float[] spot = new float[81];
        spot[4 * 9 + 4] = 1f;
        ImageViews views = new ImageViews(policy(2, false, NO_OPS, 0, 0), shape, identity(shape), new Random(1));
        float[][] batch = views(views.weak(manager, repeat(spot, 400), all(400)), 81);
        Set<Integer> shifts = new HashSet<>();
        for (float[] view : batch) {
            assertEquals(1, GeometricOpsTest.count(view, 1f), "one bright pixel, reflections stay outside");
            int at = indexOf(view, 1f);
            int dy = at / 9 - 4;
            int dx = at % 9 - 4;
            assertTrue(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, "shift " + dy + "," + dx);
            shifts.add(dy * 10 + dx);
        }
        assertEquals(25, shifts.size());
    }

    @Test
    void flipNeverHappensWhenDisabled() {
        ImageInput shape = new ImageInput(1, 2, 4);
        float[] ramp = {0f, 0.25f, 0.5f, 1f, 0f, 0.25f, 0.5f, 1f};
        ImageViews views = new ImageViews(policy(0, false, NO_OPS, 0, 0), shape, identity(shape), new Random(2));
        for (float[] view : views(views.weak(manager, repeat(ramp, 200), all(200)), 8)) {
            assertArrayEquals(ramp, view);
        }
    }

    @Test
    void flipHappensAboutHalfTheTimeWhenEnabled() {
        ImageInput shape = new ImageInput(1, 2, 4);
        float[] ramp = {0f, 0.25f, 0.5f, 1f, 0f, 0.25f, 0.5f, 1f};
        float[] mirrored = {1f, 0.5f, 0.25f, 0f, 1f, 0.5f, 0.25f, 0f};
        ImageViews views = new ImageViews(policy(0, true, NO_OPS, 0, 0), shape, identity(shape), new Random(3));
        int flipped = 0;
        for (float[] view : views(views.weak(manager, repeat(ramp, 1000), all(1000)), 8)) {
            if (Arrays.equals(view, mirrored)) {
                flipped++;
            } else {
                assertArrayEquals(ramp, view);
            }
        }
        assertEquals(500, flipped, 60); // ±3.8 standard deviations
    }

    @Test
    void strongWithoutOpsOrCutoutEqualsWeakForTheSameDraws() {
        ImageInput shape = new ImageInput(3, 6, 6);
        float[][] rows = randomRows(shape, 16, new Random(4));
        Standardizer standardizer = perChannel(shape, new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.25f, 0.3f});
        ImageAugmentation policy = policy(2, true, List.of(PhotometricOp.values()), 0, 3);
        float[] weak = new ImageViews(policy, shape, standardizer, new Random(5)).weak(manager, rows, all(16)).toFloatArray();
        float[] strong = new ImageViews(policy, shape, standardizer, new Random(5)).strong(manager, rows, all(16)).toFloatArray();
        assertArrayEquals(weak, strong);
    }

    @Test
    void standardisingAndBackIsExact() {
        ImageInput shape = new ImageInput(3, 5, 4);
        Standardizer standardizer = perChannel(shape, new float[] {0.45f, 0.5f, 0.55f}, new float[] {0.21f, 0.3f, 0.17f});
        float[][] raw = randomRows(shape, 8, new Random(6));
        float[][] rows = new float[8][];
        for (int r = 0; r < 8; r++) {
            rows[r] = standardised(raw[r], standardizer);
        }
        ImageViews views = new ImageViews(policy(0, false, NO_OPS, 0, 0), shape, standardizer, new Random(7));
        float[][] out = views(views.weak(manager, rows, all(8)), shape.values());
        for (int r = 0; r < 8; r++) {
            assertArrayEquals(rows[r], out[r], 1e-6f);
        }
    }

    @Test
    void resultsAreClippedToTheUnitIntervalInRawSpace() {
        ImageInput shape = new ImageInput(1, 4, 4);
        Standardizer standardizer = perChannel(shape, new float[] {0.3f}, new float[] {0.2f});
        float[] bright = new float[16];
        Arrays.fill(bright, 0.9f);
        ImageViews views = new ImageViews(policy(0, false, List.of(PhotometricOp.BRIGHTNESS), 4, 10),
                shape, standardizer, new Random(8));
        float[][] out = views(views.strong(manager, repeat(standardised(bright, standardizer), 50), all(50)), 16);
        float highest = Float.NEGATIVE_INFINITY;
        for (float[] view : out) {
            for (int j = 0; j < 16; j++) {
                float raw = view[j] * 0.2f + 0.3f;
                assertTrue(raw >= -1e-6f && raw <= 1 + 1e-6f, "raw " + raw);
                highest = Math.max(highest, raw);
            }
        }
        assertEquals(1f, highest, 1e-6f, "some brightened views reach the clip");
    }

    @Test
    void strongAppliesADrawnOpHalfTheTimeAtADrawnMagnitude() {
        ImageInput shape = new ImageInput(1, 1, 2);
        float[] image = {0.95f, 0.5f};
        // SOLARIZE at magnitude 1/10 only: threshold 0.9
        ImageViews views = new ImageViews(policy(0, false, List.of(PhotometricOp.SOLARIZE), 1, 1),
                shape, identity(shape), new Random(9));
        int solarized = 0;
        for (float[] view : views(views.strong(manager, repeat(image, 1000), all(1000)), 2)) {
            if (Math.abs(view[0] - 0.05f) < 1e-6f) {
                solarized++;
            } else {
                assertEquals(0.95f, view[0], 1e-6f);
            }
            assertEquals(0.5f, view[1], 1e-6f);
        }
        assertEquals(500, solarized, 60);
    }

    @Test
    void strongCutoutPaintsAClippedGreySquare() {
        ImageInput shape = new ImageInput(1, 8, 8);
        ImageViews views = new ImageViews(policy(0, false, NO_OPS, 0, 0, 3), shape, identity(shape), new Random(10));
        Set<Integer> sizes = new HashSet<>();
        for (float[] view : views(views.strong(manager, repeat(new float[64], 500), all(500)), 64)) {
            int grey = GeometricOpsTest.count(view, 0.5f);
            assertEquals(64 - grey, GeometricOpsTest.count(view, 0f));
            assertTrue(grey >= 4 && grey <= 9, "grey " + grey);
            sizes.add(grey);
        }
        assertEquals(Set.of(4, 6, 9), sizes); // corner, edge, inside
    }

    @Test
    void fixedBrightnessIsTheRawScaleReStandardised() {
        ImageInput shape = new ImageInput(3, 4, 4);
        Standardizer standardizer = perChannel(shape, new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.25f, 0.3f});
        ImageViews views = new ImageViews(policy(0, true, List.of(PhotometricOp.BRIGHTNESS), 1, 1),
                shape, standardizer, new Random(11));
        FixedViews fixed = views.fixed(40, null, new Random(12));
        float[] raw = randomRows(shape, 1, new Random(13))[0];
        Set<Float> factors = new HashSet<>();
        for (int k = 0; k < fixed.count(); k++) {
            float[] seen = destandardised(applied(fixed, k, standardised(raw, standardizer)), standardizer);
            float f = seen[0] / raw[0];
            for (int j = 0; j < raw.length; j++) {
                assertEquals(f * raw[j], seen[j], 1e-5f);
            }
            factors.add((float) Math.round(f * 100) / 100);
        }
        assertEquals(Set.of(1f, 1.09f, 0.91f), factors); // not applied, or f = 1 ± 0.9·0.1
    }

    @Test
    void fixedContrastBlendsWithEachChannelsTrainingMean() {
        ImageInput shape = new ImageInput(3, 4, 4);
        float[] means = {0.4f, 0.5f, 0.6f};
        Standardizer standardizer = perChannel(shape, means, new float[] {0.2f, 0.25f, 0.3f});
        ImageViews views = new ImageViews(policy(0, false, List.of(PhotometricOp.CONTRAST), 1, 1),
                shape, standardizer, new Random(14));
        FixedViews fixed = views.fixed(40, null, new Random(15));
        float[] raw = randomRows(shape, 1, new Random(16))[0];
        Set<Float> factors = new HashSet<>();
        for (int k = 0; k < fixed.count(); k++) {
            float[] seen = destandardised(applied(fixed, k, standardised(raw, standardizer)), standardizer);
            float f = (seen[0] - means[0]) / (raw[0] - means[0]);
            for (int j = 0; j < raw.length; j++) {
                float mu = means[j / 16];
                assertEquals(mu + f * (raw[j] - mu), seen[j], 1e-5f);
            }
            factors.add((float) Math.round(f * 100) / 100);
        }
        assertEquals(Set.of(1f, 1.09f, 0.91f), factors);
    }

    @Test
    void fixedCutoutKeepsNothingAndOffsetsToTheStandardisedGrey() {
        ImageInput shape = new ImageInput(3, 8, 8);
        Standardizer standardizer = perChannel(shape, new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.25f, 0.3f});
        ImageViews views = new ImageViews(policy(0, false, List.of(PhotometricOp.SOLARIZE), 3, 5, 4),
                shape, standardizer, new Random(17));
        FixedViews fixed = views.fixed(30, null, new Random(18));
        float[] raw = randomRows(shape, 1, new Random(19))[0];
        for (int k = 0; k < fixed.count(); k++) {
            float[] seen = destandardised(applied(fixed, k, standardised(raw, standardizer)), standardizer);
            int cut = 0;
            for (int j = 0; j < raw.length; j++) {
                if (fixed.keep()[k * raw.length + j] == 0f) {
                    cut++;
                    assertEquals(0.5f, seen[j], 1e-6f);
                } else {
                    assertEquals(1f, fixed.keep()[k * raw.length + j]); // solarize is not affine: left out
                    assertEquals(raw[j], seen[j], 1e-6f);
                }
            }
            assertTrue(cut % 3 == 0 && cut / 3 >= 4 && cut / 3 <= 16, "cut " + cut);
        }
    }

    // --- helpers

    private static ImageAugmentation policy(int pad, boolean flip, List<PhotometricOp> ops, int perImage, int magnitude) {
        return policy(pad, flip, ops, perImage, magnitude, 0);
    }

    private static ImageAugmentation policy(int pad, boolean flip, List<PhotometricOp> ops, int perImage, int magnitude,
            int cutout) {
        return new ImageAugmentation(pad, flip, ops, perImage, magnitude, cutout);
    }

    private static Standardizer identity(ImageInput shape) {
        float[] mean = new float[shape.values()];
        float[] std = new float[shape.values()];
        Arrays.fill(std, 1f);
        return new Standardizer(mean, std);
    }

    private static Standardizer perChannel(ImageInput shape, float[] means, float[] stds) {
        int plane = shape.height() * shape.width();
        float[] mean = new float[shape.values()];
        float[] std = new float[shape.values()];
        for (int j = 0; j < mean.length; j++) {
            mean[j] = means[j / plane];
            std[j] = stds[j / plane];
        }
        return new Standardizer(mean, std);
    }

    private static float[] standardised(float[] raw, Standardizer s) {
        float[] z = new float[raw.length];
        for (int j = 0; j < raw.length; j++) {
            z[j] = (raw[j] - s.mean()[j]) / s.std()[j];
        }
        return z;
    }

    private static float[] destandardised(float[] z, Standardizer s) {
        float[] raw = new float[z.length];
        for (int j = 0; j < z.length; j++) {
            raw[j] = z[j] * s.std()[j] + s.mean()[j];
        }
        return raw;
    }

    /** View k of a standardised row, as the served graph computes it: x ⊙ keep + offset. */
    private static float[] applied(FixedViews views, int k, float[] z) {
        float[] out = new float[z.length];
        for (int j = 0; j < z.length; j++) {
            out[j] = z[j] * views.keep()[k * z.length + j] + views.offset()[k * z.length + j];
        }
        return out;
    }

    private static float[][] randomRows(ImageInput shape, int n, Random random) {
        float[][] rows = new float[n][shape.values()];
        for (float[] row : rows) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextFloat();
            }
        }
        return rows;
    }

    private static float[][] repeat(float[] row, int n) {
        float[][] rows = new float[n][];
        Arrays.fill(rows, row);
        return rows;
    }

    private static int[] all(int n) {
        int[] index = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
        }
        return index;
    }

    private static float[][] views(NDArray batch, int width) {
        float[] flat = batch.toFloatArray();
        assertEquals(width, batch.getShape().get(1));
        float[][] rows = new float[flat.length / width][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = Arrays.copyOfRange(flat, r * width, (r + 1) * width);
        }
        return rows;
    }

    private static int indexOf(float[] values, float value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
