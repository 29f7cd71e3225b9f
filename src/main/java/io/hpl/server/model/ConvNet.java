package io.hpl.server.model;

import io.hpl.server.data.ImageInput;
import java.util.List;

/**
 * A convolutional regressor: the standardised row is read as an {@link ImageInput} image,
 * the backbone layers run in order, their output is flattened into the features, and a linear
 * head maps the features to one output. (Dropout acts on the features in training only.)
 */
public record ConvNet(ImageInput input, List<ConvLayer> backbone, DenseLayer head) implements Regressor {
    public ConvNet {
        backbone = List.copyOf(backbone);
        int[] out = shapeAfter(backbone, new int[] {input.channels(), input.height(), input.width()});
        int features = out[0] * out[1] * out[2];
        if (head.inputs() != features) {
            throw new IllegalArgumentException("the backbone gives " + features + " features, the head takes " + head.inputs());
        }
    }

    @Override
    public int inputs() {
        return input.values();
    }

    @Override
    public int outputs() {
        return head.outputs();
    }

    /** Width of the flattened backbone output, the head's input. */
    public int features() {
        return head.inputs();
    }

    static int[] shapeAfter(List<ConvLayer> layers, int[] shape) {
        int[] s = shape;
        for (ConvLayer layer : layers) {
            s = layer.outputShape(s);
            if (s[1] < 1 || s[2] < 1) {
                throw new IllegalArgumentException("the image is too small for this backbone: a layer leaves "
                        + s[1] + "x" + s[2]);
            }
        }
        return s;
    }

    @Override
    public <T> T accept(Regressor.Visitor<T> visitor) {
        return visitor.convNet(this);
    }
}
