package io.hpl.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.function.Function;

/**
 * Eval-mode forwards over many rows (the calibration split), a chunk of rows at a time, each chunk's
 * temporaries freed before the next. A conv net's activations for thousands of images at once, K
 * strong views each for a learned σ², would otherwise take gigabytes in one go.
 */
public final class EvalChunks {
    /** Rows per forward; rows are independent in eval mode, so the chunk size does not change values. */
    public static final int ROWS = 256;

    private EvalChunks() {
    }

    /** {@code f} applied to [n, d] rows chunk by chunk; each call returns one value per row. */
    public static float[] map(NDManager manager, NDArray rows, Function<NDArray, NDArray> f) {
        int n = Math.toIntExact(rows.getShape().get(0));
        float[] out = new float[n];
        for (int from = 0; from < n; from += ROWS) {
            int to = Math.min(n, from + ROWS);
            try (NDManager chunk = manager.newSubManager()) {
                NDArray part = rows.get(new NDIndex("{}:{}", from, to));
                part.attach(chunk);
                float[] values = f.apply(part).toFloatArray();
                System.arraycopy(values, 0, out, from, to - from);
            }
        }
        return out;
    }
}
