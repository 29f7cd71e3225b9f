package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.hpl.server.model.DenseLayer;
import java.util.List;
import java.util.Random;

/** A trainable fully connected layer: weight (out, in) and bias (out), owned by the job's manager. */
public final class Dense {
    private final NDArray weight;
    private final NDArray bias;
    private final int inputs;
    private final int outputs;

    private Dense(NDArray weight, NDArray bias, int inputs, int outputs) {
        this.weight = weight;
        this.bias = bias;
        this.inputs = inputs;
        this.outputs = outputs;
        weight.setRequiresGradient(true);
        bias.setRequiresGradient(true);
    }

    /** A layer over existing arrays, weight [out, in] and bias [out] (e.g. float64 ones in tests). */
    public static Dense of(NDArray weight, NDArray bias) {
        long[] shape = weight.getShape().getShape();
        return new Dense(weight, bias, Math.toIntExact(shape[1]), Math.toIntExact(shape[0]));
    }

    /** PyTorch's default Linear init, U(−1/√in, 1/√in) for weight and bias, from a seeded Java RNG. */
    public static Dense pytorchDefault(NDManager manager, int inputs, int outputs, Random random) {
        return of(manager, pytorchDefaultWeights(inputs, outputs, random));
    }

    /** The same init as engine-free weights (weight drawn first, then bias). */
    public static DenseLayer pytorchDefaultWeights(int inputs, int outputs, Random random) {
        double bound = 1.0 / Math.sqrt(inputs);
        float[] weight = uniform(inputs * outputs, bound, random);
        return new DenseLayer(inputs, outputs, weight, uniform(outputs, bound, random));
    }

    /** A trainable copy of {@code layer} in {@code manager}. */
    public static Dense of(NDManager manager, DenseLayer layer) {
        return new Dense(manager.create(layer.weight(), new Shape(layer.outputs(), layer.inputs())),
                manager.create(layer.bias(), new Shape(layer.outputs())), layer.inputs(), layer.outputs());
    }

    /** Xavier-normal weights and zero biases (the authors' uncertainty learner). */
    public static Dense xavierNormal(NDManager manager, int inputs, int outputs, Random random) {
        double std = Math.sqrt(2.0 / (inputs + outputs));
        float[] w = new float[inputs * outputs];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return new Dense(manager.create(w, new Shape(outputs, inputs)),
                manager.create(new float[outputs], new Shape(outputs)), inputs, outputs);
    }

    private static float[] uniform(int n, double bound, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    /** x·Wᵀ + b; the result belongs to x's manager, so per-step arrays stay in the step's scope. */
    public NDArray forward(NDArray x) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    public List<NDArray> parameters() {
        return List.of(weight, bias);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    public DenseLayer snapshot() {
        return new DenseLayer(inputs, outputs, weight.toFloatArray(), bias.toFloatArray());
    }
}
