package io.hpl.server.benchmark;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.data.Table;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The image track of the benchmark: Fashion-MNIST images, each rotated about its centre by an angle
 * θ ~ U[−45°, 45°] (positive = counter-clockwise, see {@link ImageRotation}); the target is θ in
 * degrees. Angles are drawn in file order from a fixed seed, so image i has the same angle in the
 * full set and in any prefix (the quick mode's subset). Images are CHW floats in [0, 1], 1×28×28.
 */
final class RotatedFashionMnist {
    static final String NAME = "fashion_mnist_rotated";
    static final ImageInput SHAPE = new ImageInput(1, 28, 28);
    static final DatasetSchema SCHEMA = DatasetSchema.images("angle", SHAPE);
    static final double MAX_DEGREES = 45;
    /** Seeds of the angle draws: fixed for ever, or the benchmark measures something else. */
    static final long TRAIN_ANGLE_SEED = 20251127L;
    static final long TEST_ANGLE_SEED = 20251128L;
    static final int TRAIN_IMAGES = 60_000;
    static final int TEST_IMAGES = 10_000;

    private final float[][] trainX;
    private final double[] trainAngles;
    private final float[][] testX;
    private final double[] testAngles;

    private RotatedFashionMnist(float[][] trainX, double[] trainAngles, float[][] testX, double[] testAngles) {
        this.trainX = trainX;
        this.trainAngles = trainAngles;
        this.testX = testX;
        this.testAngles = testAngles;
    }

    /** The first {@code trainImages} training and {@code testImages} test images (the files' order), rotated. */
    static RotatedFashionMnist load(int trainImages, int testImages) {
        IdxImages train = read("train-images-idx3-ubyte.gz", trainImages);
        IdxImages test = read("t10k-images-idx3-ubyte.gz", testImages);
        double[] trainAngles = angles(train.count(), TRAIN_ANGLE_SEED);
        double[] testAngles = angles(test.count(), TEST_ANGLE_SEED);
        return new RotatedFashionMnist(rotated(train, trainAngles), trainAngles, rotated(test, testAngles), testAngles);
    }

    private static IdxImages read(String file, int limit) {
        String path = "/benchmark/fashion-mnist/" + file;
        try (InputStream raw = RotatedFashionMnist.class.getResourceAsStream(path)) {
            if (raw == null) {
                throw new IllegalStateException("missing benchmark resource " + path);
            }
            IdxImages images = IdxImages.read(new GZIPInputStream(raw, 1 << 16), limit);
            if (images.rows() != SHAPE.height() || images.cols() != SHAPE.width()) {
                throw new IllegalStateException(path + " holds " + images.rows() + "x" + images.cols() + " images");
            }
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** n angles in degrees, uniform in [−45, 45), in draw order. */
    static double[] angles(int n, long seed) {
        Random random = new Random(seed);
        double[] angles = new double[n];
        for (int i = 0; i < n; i++) {
            angles[i] = (2 * random.nextDouble() - 1) * MAX_DEGREES;
        }
        return angles;
    }

    static float[][] rotated(IdxImages images, double[] angles) {
        int h = images.rows();
        int w = images.cols();
        float[][] out = new float[images.count()][];
        float[] scaled = new float[h * w];
        for (int i = 0; i < out.length; i++) {
            for (int p = 0; p < scaled.length; p++) {
                scaled[p] = (images.pixels()[i * scaled.length + p] & 0xFF) / 255f;
            }
            out[i] = ImageRotation.rotate(scaled, h, w, angles[i]); // one channel: HW is CHW
        }
        return out;
    }

    /**
     * Which training images are labelled at share γ for a seed: a Fisher–Yates shuffle of the indices
     * with {@code new Random(seed)}, the first round(γ·n) labelled. One shuffle per seed serves every
     * γ, so the 5% labels are among the 10% ones and those among the 20% ones.
     */
    static boolean[] labelled(int n, double gamma, int seed) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] labelled = new boolean[n];
        long count = Math.round(gamma * n);
        for (int k = 0; k < count; k++) {
            labelled[order[k]] = true;
        }
        return labelled;
    }

    /** Every training image, the unlabelled ones with target NaN; and all test images with their angles. */
    BenchmarkDataset.Split split(double gamma, int seed) {
        boolean[] labelled = labelled(trainX.length, gamma, seed);
        double[] y = new double[trainX.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labelled[i] ? trainAngles[i] : Double.NaN; // an unlabelled target is never read
        }
        // The image arrays are shared between splits: training copies them when it standardises.
        return new BenchmarkDataset.Split(new Table(SCHEMA, trainX, y), testX, testAngles.clone());
    }

    int trainImages() {
        return trainX.length;
    }

    int testImages() {
        return testX.length;
    }

    double trainAngle(int i) {
        return trainAngles[i];
    }

    float[] trainImage(int i) {
        return trainX[i];
    }
}
