package io.hpl.server.training.views;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hpl.server.data.ImageInput;
import io.hpl.server.model.FixedViews;
import io.hpl.server.model.Standardizer;
import io.hpl.server.training.NativeArrays;
import java.util.Arrays;
import java.util.Random;

/**
 * Augmented views of standardised images, after FixMatch. Each row is de-standardised to raw
 * pixels in [0, 1], viewed, clipped to [0, 1] and standardised again.
 * <ul>
 * <li>Weak: a random translation of up to ±{@code cropPadding} pixels in each direction with
 *     reflected borders (pad and crop back at a uniform offset in [0, 2·pad]), then a horizontal
 *     flip with probability ½ if {@code flip} ({@link GeometricOps}).
 * <li>Strong: weak, then {@code opsPerImage} ops drawn with replacement from {@code ops}, each
 *     applied with probability ½ at magnitude k/10, k uniform in {1, …, maxMagnitude}
 *     ({@link PhotometricOps} has the formulas), then a grey (0.5) square of side
 *     {@code cutoutSide} centred on a uniform pixel, clipped at the borders.
 * </ul>
 * Instances keep scratch images and draw from one {@link Random}: one thread at a time.
 */
public final class ImageViews implements Views {
    static final float CUTOUT_GREY = 0.5f;

    private final ImageAugmentation policy;
    private final ImageInput shape;
    private final Standardizer standardizer;
    private final Random random;
    private final PhotometricOps photometric;
    private final float[] source;
    private final float[] image;

    public ImageViews(ImageAugmentation policy, ImageInput shape, Standardizer standardizer, Random random) {
        if (standardizer.width() != shape.values()) {
            throw new IllegalArgumentException("standardizer of width " + standardizer.width()
                    + " for images of " + shape + " (" + shape.values() + " values)");
        }
        if (policy.cropPadding() < 0 || policy.cutoutSide() < 0 || policy.opsPerImage() < 0
                || (policy.opsPerImage() > 0 && !policy.ops().isEmpty() && policy.maxMagnitude() < 1)) {
            throw new IllegalArgumentException("invalid augmentation policy " + policy);
        }
        this.policy = policy;
        this.shape = shape;
        this.standardizer = standardizer;
        this.random = random;
        this.photometric = new PhotometricOps(shape);
        this.source = new float[shape.values()];
        this.image = new float[shape.values()];
    }

    @Override
    public NDArray weak(NDManager manager, float[][] rows, int[] index) {
        return views(manager, rows, index, false);
    }

    @Override
    public NDArray strong(NDManager manager, float[][] rows, int[] index) {
        return views(manager, rows, index, true);
    }

    private NDArray views(NDManager manager, float[][] rows, int[] index, boolean strong) {
        int d = shape.values();
        float[] flat = new float[index.length * d];
        for (int r = 0; r < index.length; r++) {
            float[] row = rows[index[r]];
            if (row.length != d) {
                throw new IllegalArgumentException("row of width " + row.length + " for images of " + shape);
            }
            destandardise(row, source);
            weakView(source, image);
            if (strong) {
                drawOps(random, (op, magnitude, increase) -> photometric.apply(op, image, magnitude, increase));
                if (policy.cutoutSide() > 0) {
                    GeometricOps.fillSquare(image, shape, random.nextInt(shape.height()),
                            random.nextInt(shape.width()), policy.cutoutSide(), CUTOUT_GREY);
                }
            }
            standardise(image, flat, r * d);
        }
        return NativeArrays.copyOf(manager, flat, new Shape(index.length, d));
    }

    private void weakView(float[] raw, float[] target) {
        int pad = policy.cropPadding();
        if (pad > 0) {
            int dy = random.nextInt(2 * pad + 1) - pad;
            int dx = random.nextInt(2 * pad + 1) - pad;
            GeometricOps.translate(raw, target, shape, dy, dx);
        } else {
            System.arraycopy(raw, 0, target, 0, raw.length);
        }
        if (policy.flip() && random.nextBoolean()) {
            GeometricOps.flipHorizontal(target, shape);
        }
    }

    /** What to do with one drawn strong op. */
    private interface OpAction {
        void apply(PhotometricOp op, double magnitude, boolean increase);
    }

    /** The strong view's op draws (FixMatch's RandAugmentMC), shared by training and the fixed views. */
    private void drawOps(Random random, OpAction action) {
        if (policy.ops().isEmpty()) {
            return;
        }
        for (int i = 0; i < policy.opsPerImage(); i++) {
            PhotometricOp op = policy.ops().get(random.nextInt(policy.ops().size()));
            if (random.nextBoolean()) {
                double magnitude = (1 + random.nextInt(policy.maxMagnitude())) / 10.0;
                action.apply(op, magnitude, random.nextBoolean());
            }
        }
    }

    private void destandardise(float[] row, float[] raw) {
        float[] mean = standardizer.mean();
        float[] std = standardizer.std();
        for (int j = 0; j < row.length; j++) {
            raw[j] = row[j] * std[j] + mean[j];
        }
    }

    private void standardise(float[] raw, float[] target, int offset) {
        float[] mean = standardizer.mean();
        float[] std = standardizer.std();
        for (int j = 0; j < raw.length; j++) {
            float x = Math.min(1f, Math.max(0f, raw[j]));
            target[offset + j] = (x - mean[j]) / std[j];
        }
    }

    /**
     * {@code count} strong views for serving σ², which must be x ⊙ keep + offset on standardised
     * rows (they live in the ONNX graph), so only the strong view's per-pixel affine parts are
     * kept: the ops are drawn as in {@link #strong}, but only BRIGHTNESS and CONTRAST act, CONTRAST
     * about each channel's training mean (a served row has no batch, and its own mean would make
     * the view non-linear); then the cutout (keep 0, offset the standardised grey). The crop, the
     * flip, the other ops and the clip to [0, 1] are left out. A raw map x' = a·x + b becomes
     * keep = a, offset = (a·mean + b − mean) / std. {@code sources} is not used.
     */
    @Override
    public FixedViews fixed(int count, float[][] sources, Random random) {
        int d = shape.values();
        int plane = shape.height() * shape.width();
        float[] channelMean = channelMeans(plane);
        float[] a = new float[d];
        float[] b = new float[d];
        float[] keep = new float[count * d];
        float[] offset = new float[count * d];
        for (int k = 0; k < count; k++) {
            Arrays.fill(a, 1f);
            Arrays.fill(b, 0f);
            drawOps(random, (op, magnitude, increase) -> {
                float f = PhotometricOps.factor(magnitude, increase);
                if (op == PhotometricOp.BRIGHTNESS || op == PhotometricOp.CONTRAST) {
                    PhotometricOps.scaleAbout(a, 0, d, 0f, f); // both scale the slope by f
                    for (int c = 0; c < shape.channels(); c++) {
                        float centre = op == PhotometricOp.CONTRAST ? channelMean[c] : 0f;
                        PhotometricOps.scaleAbout(b, c * plane, (c + 1) * plane, centre, f);
                    }
                }
            });
            if (policy.cutoutSide() > 0) {
                int centreY = random.nextInt(shape.height());
                int centreX = random.nextInt(shape.width());
                GeometricOps.fillSquare(a, shape, centreY, centreX, policy.cutoutSide(), 0f);
                GeometricOps.fillSquare(b, shape, centreY, centreX, policy.cutoutSide(), CUTOUT_GREY);
            }
            float[] mean = standardizer.mean();
            float[] std = standardizer.std();
            for (int j = 0; j < d; j++) {
                keep[k * d + j] = a[j];
                offset[k * d + j] = (a[j] * mean[j] + b[j] - mean[j]) / std[j];
            }
        }
        return new FixedViews(count, d, keep, offset);
    }

    /** Each channel's raw training mean (the standardizer's mean, averaged over the channel). */
    private float[] channelMeans(int plane) {
        float[] means = new float[shape.channels()];
        for (int c = 0; c < shape.channels(); c++) {
            double sum = 0;
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                sum += standardizer.mean()[i];
            }
            means[c] = (float) (sum / plane);
        }
        return means;
    }
}
