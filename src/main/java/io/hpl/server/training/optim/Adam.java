package io.hpl.server.training.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.hpl.server.training.checkpoint.RunState;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam with exactly PyTorch's semantics (coupled L2 weight decay added to the gradient, eps added
 * to the bias-corrected √v, bias corrections from the step count), written out so that its
 * moments and step count are readable: HPL's virtual step continues them (docs/algorithm.md §2).
 * DJL's built-in Adam keeps its state private.
 */
public final class Adam {
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    private final List<NDArray> parameters;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final double learningRate;
    private final double weightDecay;
    private long steps;

    public Adam(NDManager manager, List<NDArray> parameters, double learningRate, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        for (NDArray p : parameters) {
            firstMoments.add(manager.zeros(p.getShape(), p.getDataType()));
            secondMoments.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /**
     * One update from the gradients that the last backward pass left on the parameters, which are
     * then zeroed (PyTorch accumulates gradients across backward calls). Temporaries go to
     * {@code scratch}, which the caller closes.
     */
    public void step(NDManager scratch) {
        steps++;
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        // One fused native call per parameter (DJL's MXNet-style adam_update: coupled decay,
        // update = lr'·m / (√v + eps')). With lr' = lr·√c2/c1 and eps' = eps·√c2 it is exactly
        // PyTorch's lr/c1 · m / (√v/√c2 + eps); a test checks it against that formula.
        float lr = (float) (learningRate * Math.sqrt(c2) / c1);
        float eps = (float) (EPS * Math.sqrt(c2));
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            NDArray g = own(scratch, p.getGradient());
            p.getNDArrayInternal().adamUpdate(new NDList(p, g, firstMoments.get(i), secondMoments.get(i)), new NDList(p),
                    0f, lr, (float) weightDecay, 1f, -1f, (float) BETA1, (float) BETA2, eps, true, false);
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** Moves an array made from a long-lived one into the step's scope, so that it is freed with it. */
    private static NDArray own(NDManager scratch, NDArray array) {
        array.attach(scratch);
        return array;
    }

    /** Registers the moments and the step count (the bias corrections depend on it) under {@code name}. */
    public void register(RunState state, String name) {
        state.arrays(name + ".m", firstMoments);
        state.arrays(name + ".v", secondMoments);
        state.counter(name + ".steps", () -> steps, s -> steps = s);
    }

    public long steps() {
        return steps;
    }

    public double learningRate() {
        return learningRate;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public List<NDArray> parameters() {
        return parameters;
    }

    public List<NDArray> firstMoments() {
        return firstMoments;
    }

    public List<NDArray> secondMoments() {
        return secondMoments;
    }
}
