package io.hpl.server.model;

/**
 * One hidden layer of each of K ensemble members, y_k = x_k·W_k + b_k: {@code weight} is row-major
 * [members][inputs][outputs] (the batched-matmul layout, not Linear's [out][in]), {@code bias}
 * [members][outputs].
 */
public record PackedLayer(int members, int inputs, int outputs, float[] weight, float[] bias) {
    public PackedLayer {
        if (weight.length != members * inputs * outputs || bias.length != members * outputs) {
            throw new IllegalArgumentException("packed layer " + members + "×(" + inputs + "->" + outputs + ") has "
                    + weight.length + " weights and " + bias.length + " biases");
        }
    }
}
