package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.hpl.server.data.ImageInput;
import io.hpl.server.training.nn.ImageBackbone;
import io.hpl.server.training.nn.RegressorNetwork;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvalChunksTest {
    @Test
    void chunkedForwardsGiveOneValuePerRowInOrderAndLeaveTheRowsUsable() {
        PyTorchEngine.get();
        JniUtils.setGradMode(false);
        ImageInput shape = new ImageInput(1, 8, 8);
        int n = 2 * EvalChunks.ROWS + 37; // three chunks, the last one short
        Random random = new Random(1);
        float[] values = new float[n * shape.values()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork net = RegressorNetwork.of(m, ImageBackbone.SMALL_CNN.create(shape, new Random(2)), 0);
            NDArray rows = m.create(values, new Shape(n, shape.values()));
            float[] chunked = EvalChunks.map(m, rows, x -> net.predict(x, false));
            assertEquals(n, chunked.length);
            float[] first = net.predict(rows.get("0:10"), false).toFloatArray();
            float[] last = net.predict(rows.get((n - 10) + ":"), false).toFloatArray();
            assertArrayEquals(first, java.util.Arrays.copyOfRange(chunked, 0, 10), 1e-6f);
            assertArrayEquals(last, java.util.Arrays.copyOfRange(chunked, n - 10, n), 1e-6f);
            assertEquals(n, rows.getShape().get(0), "the rows survive their chunks' managers");
        }
    }
}
