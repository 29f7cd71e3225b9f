package io.hpl.server.training;

import io.hpl.server.training.nn.ImageBackbone;
import io.hpl.server.training.views.PhotometricOp;
import java.util.List;

/**
 * Hyperparameters of image datasets: the backbone and the augmentation policy, which is part of
 * the request because which transforms keep the label depends on the task (a flip keeps a face's
 * age but mirrors a rotation angle). Defaults follow the authors' image views scaled to the image
 * (16 px padding at 224 px is 7%) without flips, so they are safe for angle and position targets.
 */
public final class ImageHyperParameters {
    /** Whether horizontal flips keep the label. */
    public enum Flip { NONE, HORIZONTAL }

    public static final HyperParameter<ImageBackbone> BACKBONE = HyperParameter.choice(
            "backbone", ImageBackbone.SMALL_CNN, "small_cnn (3 conv blocks, the CPU default) or resnet18 (for GPUs)").imagesOnly();
    public static final HyperParameter<Double> CROP_PADDING = HyperParameter.real(
            "crop_padding", 0.07, 0.0, 0.5, "weak view's random-crop padding, as a share of the image side").imagesOnly();
    public static final HyperParameter<Flip> FLIP = HyperParameter.choice(
            "flip", Flip.NONE, "horizontal when a mirrored image keeps its target (age: yes; angle: no)").imagesOnly();
    public static final HyperParameter<List<PhotometricOp>> STRONG_OPS = HyperParameter.choices(
            "strong_ops", List.of(PhotometricOp.values()), "the strong view's photometric operations to draw from").imagesOnly();
    public static final HyperParameter<Integer> STRONG_OPS_PER_IMAGE = HyperParameter.integer(
            "strong_ops_per_image", 3, 0, 10, "operations drawn per strong view (each applied with probability 1/2)").imagesOnly();
    public static final HyperParameter<Integer> STRONG_MAGNITUDE = HyperParameter.integer(
            "strong_magnitude", 3, 1, 10, "largest magnitude of a strong operation, in tenths (drawn from 1..this)").imagesOnly();
    public static final HyperParameter<Double> CUTOUT = HyperParameter.real(
            "cutout", 0.25, 0.0, 1.0, "side of the strong view's grey square cutout, as a share of the image side").imagesOnly();

    public static final List<HyperParameter<?>> ALL = List.of(
            BACKBONE, CROP_PADDING, FLIP, STRONG_OPS, STRONG_OPS_PER_IMAGE, STRONG_MAGNITUDE, CUTOUT);

    private ImageHyperParameters() {
    }
}
