package io.hpl.server.training.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Gathers the standardised targets of a batch into an array of the step's scope. */
final class LabelledBatch {
    private LabelledBatch() {
    }

    static NDArray targets(NDManager scratch, float[] y, int[] index) {
        float[] batch = new float[index.length];
        for (int i = 0; i < index.length; i++) {
            batch[i] = y[index[i]];
        }
        return io.hpl.server.training.NativeArrays.copyOf(scratch, batch, new Shape(index.length));
    }
}
