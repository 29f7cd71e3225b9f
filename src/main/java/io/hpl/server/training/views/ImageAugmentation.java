package io.hpl.server.training.views;

import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.ImageHyperParameters;
import java.util.List;

/**
 * The augmentation policy of an image run, from the request's hyperparameters (the one place
 * they are read). Weak: pad by {@code cropPadding} pixels (reflected borders) and crop back at a
 * random offset, then a horizontal flip with probability ½ if {@code flip}. Strong: weak, then
 * {@code opsPerImage} ops drawn with replacement from {@code ops}, each applied with probability ½
 * at a magnitude drawn uniformly from {1, …, maxMagnitude}/10, then a square cutout of side
 * {@code cutoutSide} pixels filled with grey 0.5 (FixMatch's RandAugmentMC, docs/algorithm.md §1).
 */
public record ImageAugmentation(
        int cropPadding, boolean flip, List<PhotometricOp> ops, int opsPerImage, int maxMagnitude, int cutoutSide) {

    public ImageAugmentation {
        ops = List.copyOf(ops);
    }

    /** The policy for images of the given size (fractions become pixels, at least 1 when non-zero). */
    public static ImageAugmentation from(HyperParameters hp, int height, int width) {
        int side = Math.min(height, width);
        return new ImageAugmentation(
                pixels(hp.get(ImageHyperParameters.CROP_PADDING), side),
                hp.get(ImageHyperParameters.FLIP) == ImageHyperParameters.Flip.HORIZONTAL,
                hp.get(ImageHyperParameters.STRONG_OPS),
                hp.get(ImageHyperParameters.STRONG_OPS_PER_IMAGE),
                hp.get(ImageHyperParameters.STRONG_MAGNITUDE),
                pixels(hp.get(ImageHyperParameters.CUTOUT), side));
    }

    private static int pixels(double fraction, int side) {
        return fraction == 0 ? 0 : Math.max(1, (int) Math.round(fraction * side));
    }
}
