package io.hpl.server.data.image;

/** One image of a Predict or Evaluate request, as the client sent it. */
public sealed interface ImageData permits ImageData.Encoded, ImageData.Tensor {

    /** A PNG or JPEG file. */
    record Encoded(byte[] bytes) implements ImageData {
    }

    /** An already preprocessed image: CHW floats in [0, 1]. */
    record Tensor(float[] values) implements ImageData {
    }
}
