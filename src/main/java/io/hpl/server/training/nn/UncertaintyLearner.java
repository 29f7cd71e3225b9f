package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.hpl.server.model.Mlp;
import java.util.List;
import java.util.Random;

/**
 * g_φ, the authors' uncertainty learner: inputs → hidden → ReLU → 1, Xavier-normal weights and
 * zero biases, no dropout. Its output z is read as log σ² of a pseudo-label. It shares nothing
 * with f_θ and only ever sees detached inputs.
 */
public final class UncertaintyLearner {
    private final Dense hidden;
    private final Dense output;

    private UncertaintyLearner(Dense hidden, Dense output) {
        this.hidden = hidden;
        this.output = output;
    }

    public static UncertaintyLearner xavier(NDManager manager, int inputs, int hiddenWidth, Random random) {
        return new UncertaintyLearner(Dense.xavierNormal(manager, inputs, hiddenWidth, random),
                Dense.xavierNormal(manager, hiddenWidth, 1, random));
    }

    /** From given layers (tests build float64 learners this way). */
    public static UncertaintyLearner of(Dense hidden, Dense output) {
        return new UncertaintyLearner(hidden, output);
    }

    /** z for each row of {@code u} [B, inputs], as a vector [B]; belongs to u's manager. */
    public NDArray forward(NDArray u) {
        return output.forward(Activation.relu(hidden.forward(u))).reshape(-1);
    }

    public List<NDArray> parameters() {
        return List.of(hidden.weight(), hidden.bias(), output.weight(), output.bias());
    }

    public Mlp snapshot() {
        return new Mlp(List.of(hidden.snapshot(), output.snapshot()));
    }
}
