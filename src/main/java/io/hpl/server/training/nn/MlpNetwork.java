package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** f_θ for tabular rows: an MLP backbone (Linear, ReLU, dropout per hidden layer) and a linear head. */
public final class MlpNetwork implements RegressorNetwork {
    private final List<Dense> backbone = new ArrayList<>();
    private final Dense head;
    private final float dropout;

    MlpNetwork(NDManager manager, Mlp initial, double dropout) {
        List<DenseLayer> layers = initial.layers();
        for (int i = 0; i < layers.size() - 1; i++) {
            backbone.add(Dense.of(manager, layers.get(i)));
        }
        this.head = Dense.of(manager, layers.get(layers.size() - 1));
        this.dropout = (float) dropout;
    }

    /** inputs → hidden… → 1 with PyTorch's default Linear init, drawn from {@code random}. */
    public static Mlp initial(int inputs, List<Integer> hidden, Random random) {
        List<DenseLayer> layers = new ArrayList<>();
        int width = inputs;
        for (int h : hidden) {
            layers.add(Dense.pytorchDefaultWeights(width, h, random));
            width = h;
        }
        layers.add(Dense.pytorchDefaultWeights(width, 1, random));
        return new Mlp(layers);
    }

    @Override
    public NDArray features(NDArray x, boolean training) {
        NDArray h = x;
        for (Dense layer : backbone) {
            h = RegressorNetwork.dropout(Activation.relu(layer.forward(h)), dropout, training);
        }
        return h;
    }

    @Override
    public Dense head() {
        return head;
    }

    @Override
    public List<NDArray> backboneParameters() {
        List<NDArray> params = new ArrayList<>();
        backbone.forEach(d -> params.addAll(d.parameters()));
        return params;
    }

    @Override
    public Mlp snapshot() {
        List<DenseLayer> layers = new ArrayList<>();
        backbone.forEach(d -> layers.add(d.snapshot()));
        layers.add(head.snapshot());
        return new Mlp(layers);
    }
}
