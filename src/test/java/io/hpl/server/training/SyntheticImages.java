package io.hpl.server.training;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.data.Table;
import java.util.Random;

/**
 * Generated image regression sets for training tests: a grey square on a dark noisy background,
 * target = the square's side in pixels (plus a little noise). Translations and photometric
 * changes keep the side, so the image views are label-preserving here.
 */
public final class SyntheticImages {
    public static final ImageInput SHAPE = new ImageInput(1, 12, 12);

    private SyntheticImages() {
    }

    public static Table make(int labelled, int unlabelled, long seed) {
        Random random = new Random(seed);
        int n = labelled + unlabelled;
        float[][] x = new float[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int side = 2 + random.nextInt(6);
            int top = random.nextInt(SHAPE.height() - side + 1);
            int left = random.nextInt(SHAPE.width() - side + 1);
            float[] image = new float[SHAPE.values()];
            for (int p = 0; p < image.length; p++) {
                image[p] = (float) (0.1 * random.nextDouble());
            }
            for (int r = top; r < top + side; r++) {
                for (int c = left; c < left + side; c++) {
                    image[r * SHAPE.width() + c] = 0.8f;
                }
            }
            x[i] = image;
            double target = side + 0.1 * random.nextGaussian();
            y[i] = i < labelled ? target : Double.NaN;
        }
        return new Table(DatasetSchema.images("side", SHAPE), x, y);
    }
}
