package io.hpl.server.data.image;

import io.hpl.server.errors.HplException;
import java.util.List;

/** The images of one request as model inputs, within the memory limit; image i is named "image i" in errors. */
public final class ImageBatch {
    private ImageBatch() {
    }

    public static float[][] inputs(List<ImageData> images, ImageDecoder decoder, ImageLimits limits) {
        long values = (long) images.size() * decoder.input().values();
        if (values > limits.maxValues()) {
            throw HplException.exhausted(images.size() + " images of " + decoder.input() + " are " + values
                    + " values, over the limit of " + limits.maxValues() + " (hpl.images.max-values): split the batch");
        }
        float[][] x = new float[images.size()][];
        for (int i = 0; i < x.length; i++) {
            String label = "image " + i;
            ImageData image = images.get(i);
            x[i] = image instanceof ImageData.Encoded e
                    ? decoder.decode(label, e.bytes())
                    : decoder.checkTensor(label, ((ImageData.Tensor) image).values());
        }
        return x;
    }
}
