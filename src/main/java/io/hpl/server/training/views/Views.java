package io.hpl.server.training.views;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hpl.server.model.FixedViews;
import java.util.Random;

/**
 * How a method sees training rows: a weak view (labelled batches and pseudo-labels) and a strong
 * view (the student's input on unlabelled rows), both label-preserving by construction. Rows are
 * standardised and flat ([width] each; images channel-major). The result is [index.length, width]
 * in {@code manager}.
 */
public interface Views {
    NDArray weak(NDManager manager, float[][] rows, int[] index);

    NDArray strong(NDManager manager, float[][] rows, int[] index);

    /**
     * {@code count} strong views fixed once, as x ⊙ keep + offset on standardised rows, so that
     * the served σ² is deterministic and lives in the ONNX graph. Drawn from {@code random};
     * {@code sources} are training rows, for views that borrow values from other rows.
     */
    FixedViews fixed(int count, float[][] sources, Random random);
}
