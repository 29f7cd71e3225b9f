package io.hpl.server.model;

import java.util.List;

/** A multilayer perceptron: the layers in order, with ReLU between them and none after the last. */
public record Mlp(List<DenseLayer> layers) implements Regressor {
    public Mlp {
        layers = List.copyOf(layers);
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inputs() != layers.get(i - 1).outputs()) {
                throw new IllegalArgumentException("layer " + i + " does not fit the previous one");
            }
        }
    }

    public int inputs() {
        return layers.get(0).inputs();
    }

    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    @Override
    public <T> T accept(Regressor.Visitor<T> visitor) {
        return visitor.mlp(this);
    }
}
