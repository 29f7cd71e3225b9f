package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.norm.Dropout;
import io.hpl.server.model.Blend;
import io.hpl.server.model.ConvNet;
import io.hpl.server.model.Mlp;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.Regressor;
import io.hpl.server.model.TreeEnsemble;
import java.util.ArrayList;
import java.util.List;

/**
 * f_θ in training: a backbone h and a linear head with one output, f(x) = head(h(x)). The head is
 * kept apart because HPL's meta step differentiates through a virtual step of the head alone, on
 * detached backbone features. Rows come in standardised, [B, width].
 */
public interface RegressorNetwork {

    /** A trainable network starting from {@code initial}'s weights, in {@code manager}. */
    static RegressorNetwork of(NDManager manager, Regressor initial, double dropout) {
        return initial.accept(new Regressor.Visitor<>() {
            @Override
            public RegressorNetwork mlp(Mlp mlp) {
                return new MlpNetwork(manager, mlp, dropout);
            }

            @Override
            public RegressorNetwork packedMlp(PackedMlp packed) {
                return new PackedMlpNetwork(manager, packed, dropout);
            }

            @Override
            public RegressorNetwork convNet(ConvNet conv) {
                return new ConvNetwork(manager, conv, dropout);
            }

            // Trees and blends are fitted, not trained by gradient steps: no method asks for them here.
            @Override
            public RegressorNetwork trees(TreeEnsemble trees) {
                throw new IllegalArgumentException("gradient-boosted trees are not a trainable network");
            }

            @Override
            public RegressorNetwork blend(Blend blend) {
                throw new IllegalArgumentException("a blend is not a trainable network");
            }
        });
    }

    /** Dropout with probability {@code p} in training, the identity otherwise (PyTorch's inverted dropout). */
    static NDArray dropout(NDArray h, float p, boolean training) {
        return training && p > 0 ? Dropout.dropout(h, p, true).singletonOrThrow() : h;
    }

    /** Backbone features h(x), [B, features]; dropout (and batch statistics) only when training. */
    NDArray features(NDArray x, boolean training);

    /** f(x) as a vector of length B. */
    default NDArray predict(NDArray x, boolean training) {
        return head().forward(features(x, training)).squeeze(1);
    }

    Dense head();

    List<NDArray> backboneParameters();

    default List<NDArray> headParameters() {
        return head().parameters();
    }

    default List<NDArray> parameters() {
        List<NDArray> params = new ArrayList<>(backboneParameters());
        params.addAll(headParameters());
        return params;
    }

    /** State that train-mode forwards update, not gradients (batch norm's running statistics). */
    default List<NDArray> buffers() {
        return List.of();
    }

    /** The weights as engine-free arrays, for export. */
    Regressor snapshot();
}
