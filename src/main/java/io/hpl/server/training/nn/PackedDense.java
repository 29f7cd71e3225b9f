package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hpl.server.model.PackedLayer;
import java.util.List;

/**
 * A trainable {@link PackedLayer}: weight [K, in, out] and bias [K, 1, out], owned by the job's
 * manager. Its forward is one batched matmul for all K members, whatever K.
 */
final class PackedDense {
    private final NDArray weight;
    private final NDArray bias;
    private final PackedLayer shape;

    PackedDense(NDManager manager, PackedLayer layer) {
        this.shape = layer;
        this.weight = manager.create(layer.weight(), new Shape(layer.members(), layer.inputs(), layer.outputs()));
        this.bias = manager.create(layer.bias(), new Shape(layer.members(), 1, layer.outputs()));
        weight.setRequiresGradient(true);
        bias.setRequiresGradient(true);
    }

    /** [K, B, in] → [K, B, out]: h_k·W_k + b_k for every member k at once. */
    NDArray forward(NDArray h) {
        return h.matMul(weight).add(bias);
    }

    List<NDArray> parameters() {
        return List.of(weight, bias);
    }

    PackedLayer snapshot() {
        return new PackedLayer(shape.members(), shape.inputs(), shape.outputs(), weight.toFloatArray(),
                bias.toFloatArray());
    }
}
