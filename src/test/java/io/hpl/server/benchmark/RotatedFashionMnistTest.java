package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.Table;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class RotatedFashionMnistTest {
    @Test
    void anglesAreWithinRangeSpreadAndFixedBySeed() {
        double[] angles = RotatedFashionMnist.angles(60_000, RotatedFashionMnist.TRAIN_ANGLE_SEED);
        assertTrue(Arrays.stream(angles).allMatch(a -> a >= -45 && a <= 45));
        assertArrayEquals(angles, RotatedFashionMnist.angles(60_000, RotatedFashionMnist.TRAIN_ANGLE_SEED));
        assertFalse(Arrays.equals(angles, RotatedFashionMnist.angles(60_000, RotatedFashionMnist.TEST_ANGLE_SEED)));
        // Uniform on [−45, 45]: mean 0, mean |θ| 22.5 (the MAE of always predicting 0), both ± a few SE.
        assertEquals(0, Arrays.stream(angles).average().orElseThrow(), 0.5);
        assertEquals(22.5, Arrays.stream(angles).map(Math::abs).average().orElseThrow(), 0.3);
        assertTrue(Arrays.stream(angles).min().orElseThrow() < -44.9 && Arrays.stream(angles).max().orElseThrow() > 44.9);
    }

    @Test
    void labelledShareIsExactSeededAndNested() {
        for (double gamma : BenchmarkDataset.GAMMAS) {
            boolean[] labelled = RotatedFashionMnist.labelled(60_000, gamma, 1);
            assertEquals(Math.round(gamma * 60_000), count(labelled), "γ " + gamma);
        }
        assertEquals(150, count(RotatedFashionMnist.labelled(3000, 0.05, 0)));
        assertArrayEquals(RotatedFashionMnist.labelled(60_000, 0.1, 2), RotatedFashionMnist.labelled(60_000, 0.1, 2));
        assertFalse(Arrays.equals(RotatedFashionMnist.labelled(60_000, 0.1, 0), RotatedFashionMnist.labelled(60_000, 0.1, 1)));
        boolean[] five = RotatedFashionMnist.labelled(60_000, 0.05, 0);
        boolean[] twenty = RotatedFashionMnist.labelled(60_000, 0.20, 0);
        for (int i = 0; i < five.length; i++) {
            assertTrue(!five[i] || twenty[i], "the 5% labels are among the 20% ones");
        }
    }

    @Test
    void subsetSplitIsAnImageTableWithAnglesAsTargets() {
        RotatedFashionMnist data = RotatedFashionMnist.load(3000, 1000);
        assertEquals(3000, data.trainImages());
        assertEquals(1000, data.testImages());
        BenchmarkDataset.Split split = data.split(0.10, 0);
        Table train = split.train();
        assertTrue(train.schema().isImage());
        assertEquals("angle", train.schema().targetColumn());
        assertEquals(784, train.schema().encodedWidth());
        assertEquals(3000, train.rows());
        assertEquals(300, train.labelledRows());
        assertEquals(1000, split.testX().length);
        assertEquals(784, split.testX()[0].length);
        boolean[] labelled = RotatedFashionMnist.labelled(3000, 0.10, 0);
        for (int i = 0; i < 3000; i++) {
            assertEquals(labelled[i], !Double.isNaN(train.y()[i]));
            if (labelled[i]) {
                assertEquals(data.trainAngle(i), train.y()[i]);
            }
            for (float v : train.x()[i]) {
                assertTrue(v >= 0f && v <= 1f, "pixel out of [0, 1] in image " + i);
            }
        }
        assertTrue(Arrays.stream(split.testY()).allMatch(a -> a >= -45 && a <= 45));
        // Angles follow file order, so a prefix has the same angle per image as the full set.
        double[] full = RotatedFashionMnist.angles(60_000, RotatedFashionMnist.TRAIN_ANGLE_SEED);
        assertEquals(full[2999], data.trainAngle(2999));
    }

    @Test
    void imagesAreRotatedByTheirAngle() throws IOException {
        RotatedFashionMnist data = RotatedFashionMnist.load(5, 0);
        IdxImages raw;
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream(
                "/benchmark/fashion-mnist/train-images-idx3-ubyte.gz"))) {
            raw = IdxImages.read(in, 5);
        }
        for (int i = 0; i < 5; i++) {
            float[] upright = new float[784];
            for (int p = 0; p < upright.length; p++) {
                upright[p] = raw.pixel(i, p / 28, p % 28) / 255f;
            }
            assertArrayEquals(ImageRotation.rotate(upright, 28, 28, data.trainAngle(i)), data.trainImage(i));
            // A rotation changes the picture, else the target could not be seen in it.
            assertFalse(Arrays.equals(upright, data.trainImage(i)));
        }
    }

    private static long count(boolean[] flags) {
        long n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }
}
