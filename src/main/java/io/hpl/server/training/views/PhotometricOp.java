package io.hpl.server.training.views;

/**
 * The strong view's photometric operations (RandAugment's pool without its geometric members:
 * rotations, shears and translations change targets such as angles and positions). Each acts on
 * pixel values in [0, 1] with a magnitude in (0, 1], the share of the op's full range
 * (see {@link ImageViews} for the formulas).
 */
public enum PhotometricOp {
    AUTOCONTRAST,
    BRIGHTNESS,
    CONTRAST,
    EQUALIZE,
    POSTERIZE,
    SHARPNESS,
    SOLARIZE
}
