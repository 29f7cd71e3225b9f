package io.hpl.server.model;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.model.ConvLayer.BatchNorm2d;
import io.hpl.server.model.ConvLayer.Residual;
import io.hpl.server.training.nn.ImageBackbone;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random image models and images for engine-parity tests: a backbone's fresh weights, a
 * per-channel standardizer, and batch norms whose statistics are not the identity (fresh ones are
 * γ=1, β=0, mean 0, var 1, which would leave a wrong BN export unnoticed).
 */
public final class RandomImageModels {
    private RandomImageModels() {
    }

    /**
     * {@code backbone} on {@code image}-shaped inputs, constant σ² like {@link RandomModels#model}.
     * The target scale is small (mean 2, std 0.5) so that a bound relative to 1 + |mean| is about
     * the network's output, not about a large target offset.
     */
    public static TrainedModel model(ImageBackbone backbone, ImageInput image, long seed) {
        Random random = new Random(seed);
        ConvNet net = backbone.create(image, random);
        ConvNet randomised = new ConvNet(net.input(), randomiseBatchNorms(net.backbone(), random), net.head());
        return new TrainedModel(DatasetSchema.images("angle", image), perChannel(image, random), randomised,
                new TargetScale(2.0, 0.5), new ConstantVariance(12.5));
    }

    /** Uniform images in [0, 1], flat channel-major, as the dataset decoder gives them. */
    public static float[][] images(ImageInput image, long seed, int n) {
        Random random = new Random(seed);
        float[][] rows = new float[n][image.values()];
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextFloat();
            }
        }
        return rows;
    }

    /** Mean ≈ 0.5 and std ≈ 0.25 per channel, as fitted on real images, repeated over the pixels. */
    private static Standardizer perChannel(ImageInput image, Random random) {
        int pixels = image.height() * image.width();
        float[] mean = new float[image.values()];
        float[] std = new float[image.values()];
        for (int c = 0; c < image.channels(); c++) {
            float m = (float) (0.4 + 0.2 * random.nextDouble());
            float s = (float) (0.2 + 0.1 * random.nextDouble());
            for (int p = 0; p < pixels; p++) {
                mean[c * pixels + p] = m;
                std[c * pixels + p] = s;
            }
        }
        return new Standardizer(mean, std);
    }

    /**
     * γ ∈ [0.5, 1.5], β ~ N(0, 0.1²), running mean ~ N(0, 0.1²), running var ∈ [0.5, 2]: away from
     * the identity, close enough to it that activations keep their scale through 18 layers.
     */
    private static List<ConvLayer> randomiseBatchNorms(List<ConvLayer> layers, Random random) {
        List<ConvLayer> out = new ArrayList<>();
        for (ConvLayer layer : layers) {
            if (layer instanceof BatchNorm2d n) {
                int c = n.channels();
                out.add(new BatchNorm2d(c, uniform(c, 0.5, 1.5, random), gaussian(c, 0.1, random),
                        gaussian(c, 0.1, random), uniform(c, 0.5, 2.0, random), n.eps()));
            } else if (layer instanceof Residual r) {
                out.add(new Residual(randomiseBatchNorms(r.main(), random), randomiseBatchNorms(r.shortcut(), random)));
            } else {
                out.add(layer);
            }
        }
        return out;
    }

    private static float[] uniform(int n, double low, double high, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (low + (high - low) * random.nextDouble());
        }
        return v;
    }

    private static float[] gaussian(int n, double std, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * random.nextGaussian());
        }
        return v;
    }
}
