package io.hpl.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.ResidentMemory;
import io.hpl.server.data.ImageInput;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.RandomImageModels;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.training.nn.ImageBackbone;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Serving image batches: chunked runs give the same values, and repeated batches keep memory flat. */
class ImageSessionMemoryTest {
    private static final ImageInput MNIST = new ImageInput(1, 28, 28);
    private final TrainedModel model = RandomModels.withViewVariance(RandomImageModels.model(ImageBackbone.SMALL_CNN,
            MNIST, 4), 2, 4);

    private OnnxModelSession open() throws Exception {
        return new OrtSessionFactory(OrtSessionFactory.Device.CPU).open(new OnnxModelWriter().write(model, Map.of()));
    }

    @Test
    void aBatchLargerThanOneRunEqualsItsHalvesScoredApart() throws Exception {
        int perRun = InputStaging.MAX_VALUES / MNIST.values(); // 2,675 images
        float[][] images = RandomImageModels.images(MNIST, 5, perRun + 100);
        try (OnnxModelSession session = open()) {
            Predictions whole = session.predict(images);
            Predictions first = session.predict(Arrays.copyOfRange(images, 0, 1500));
            Predictions rest = session.predict(Arrays.copyOfRange(images, 1500, images.length));
            assertArrayEquals(concat(first.mean(), rest.mean()), whole.mean());
            assertArrayEquals(concat(first.variance(), rest.variance()), whole.variance());
        }
    }

    /**
     * ORT's Java API copies a heap input into a direct buffer that only the GC frees; before the
     * staging buffer this grew resident size by 3 MB per 1,000-image Predict (250 MB over these 70).
     */
    @Test
    void repeatedBatchesKeepResidentSizeFlat() throws Exception {
        float[][] images = RandomImageModels.images(MNIST, 6, 1000);
        SortedMap<Integer, Long> residentKb = new TreeMap<>();
        try (OnnxModelSession session = open()) {
            for (int round = 0; round < 7; round++) {
                for (int k = 0; k < 10; k++) {
                    session.predict(images);
                }
                residentKb.put(round, ResidentMemory.kilobytes());
            }
        }
        long growthKb = residentKb.get(6) - residentKb.get(1);
        assertTrue(growthKb < 16 * 1024, "resident size grew " + growthKb + " KB over 50 batches: " + residentKb);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
