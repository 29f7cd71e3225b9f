package io.hpl.server.model;

/**
 * A fully connected layer y = W·x + b, stored as PyTorch's Linear stores it:
 * {@code weight} is row-major [outputs][inputs].
 */
public record DenseLayer(int inputs, int outputs, float[] weight, float[] bias) {
    public DenseLayer {
        if (weight.length != inputs * outputs || bias.length != outputs) {
            throw new IllegalArgumentException("layer " + inputs + "->" + outputs + " has "
                    + weight.length + " weights and " + bias.length + " biases");
        }
    }
}
