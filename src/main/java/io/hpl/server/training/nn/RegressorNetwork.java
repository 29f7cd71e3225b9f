package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * f_θ: an MLP backbone (Linear, ReLU, dropout per hidden layer) and a linear head with one output.
 * The head is kept apart because HPL's meta step differentiates through a virtual step of the
 * head alone, on detached backbone features.
 */
public final class RegressorNetwork {
    private final List<Dense> backbone;
    private final Dense head;
    private final float dropout;

    public RegressorNetwork(NDManager manager, int inputs, List<Integer> hidden, double dropout, Random random) {
        this.backbone = new ArrayList<>();
        int width = inputs;
        for (int h : hidden) {
            backbone.add(Dense.pytorchDefault(manager, width, h, random));
            width = h;
        }
        this.head = Dense.pytorchDefault(manager, width, 1, random);
        this.dropout = (float) dropout;
    }

    /** Backbone features h(x); dropout only when training. */
    public NDArray features(NDArray x, boolean training) {
        NDArray h = x;
        for (Dense layer : backbone) {
            h = Activation.relu(layer.forward(h));
            if (training && dropout > 0) {
                h = Dropout.dropout(h, dropout, true).singletonOrThrow();
            }
        }
        return h;
    }

    /** f(x) as a vector of length B. */
    public NDArray predict(NDArray x, boolean training) {
        return head.forward(features(x, training)).squeeze(1);
    }

    public Dense head() {
        return head;
    }

    public List<NDArray> backboneParameters() {
        List<NDArray> params = new ArrayList<>();
        backbone.forEach(d -> params.addAll(d.parameters()));
        return params;
    }

    public List<NDArray> headParameters() {
        return head.parameters();
    }

    public List<NDArray> parameters() {
        List<NDArray> params = backboneParameters();
        params.addAll(headParameters());
        return params;
    }

    /** The weights as engine-free arrays, for export. */
    public Mlp snapshot() {
        List<DenseLayer> layers = new ArrayList<>();
        backbone.forEach(d -> layers.add(d.snapshot()));
        layers.add(head.snapshot());
        return new Mlp(layers);
    }
}
