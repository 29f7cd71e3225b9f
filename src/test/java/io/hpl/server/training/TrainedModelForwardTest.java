package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.hpl.server.model.Mlp;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DJL forward pass against a plain-Java double-precision reference: the ONNX parity test
 * alone would not notice a layout mistake (e.g. an untransposed weight) made on both sides.
 */
class TrainedModelForwardTest {
    private static final TrainedModel MODEL = RandomModels.model(11);
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = PyTorchEngine.get().newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void matchesPlainJavaReference() {
        float[][] rows = RandomModels.rows(MODEL, 1, 100);
        Predictions p = TrainedModelForward.predict(manager, MODEL, rows);
        for (int i = 0; i < rows.length; i++) {
            double expected = reference(MODEL, rows[i]);
            assertEquals(expected, p.mean()[i], 1e-4 * (1 + Math.abs(expected)), "row " + i);
            assertEquals(12.5, p.variance()[i]);
        }
    }

    @Test
    void leavesNoArraysBehind() {
        try (NDManager m = manager.newSubManager()) {
            TrainedModelForward.predict(m, MODEL, RandomModels.rows(MODEL, 2, 8));
            assertTrue(m.getManagedArrays().isEmpty(), "arrays left: " + m.getManagedArrays().size());
        }
    }

    /** PyTorch grad mode is on by default on a fresh thread; predict must switch it off and back. */
    @Test
    void worksOnAFreshThreadAndRestoresGradMode() throws Exception {
        float[][] rows = RandomModels.rows(MODEL, 3, 8);
        Predictions here = TrainedModelForward.predict(manager, MODEL, rows);
        CompletableFuture<Predictions> there = CompletableFuture.supplyAsync(() -> {
            boolean before = JniUtils.isGradMode();
            Predictions p = TrainedModelForward.predict(manager, MODEL, rows);
            assertEquals(before, JniUtils.isGradMode());
            return p;
        }, r -> new Thread(r).start());
        Predictions p = there.get();
        for (int i = 0; i < rows.length; i++) {
            assertEquals(here.mean()[i], p.mean()[i]);
        }
        assertFalse(JniUtils.isGradMode());
    }

    private static double reference(TrainedModel model, float[] row) {
        Mlp mlp = (Mlp) model.regressor();
        double[] h = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            h[j] = (row[j] - model.features().mean()[j]) / (double) model.features().std()[j];
        }
        for (int l = 0; l < mlp.layers().size(); l++) {
            DenseLayer layer = mlp.layers().get(l);
            double[] next = new double[layer.outputs()];
            for (int o = 0; o < layer.outputs(); o++) {
                double sum = layer.bias()[o];
                for (int in = 0; in < layer.inputs(); in++) {
                    sum += layer.weight()[o * layer.inputs() + in] * h[in];
                }
                next[o] = l < mlp.layers().size() - 1 ? Math.max(0, sum) : sum;
            }
            h = next;
        }
        return model.target().mean() + model.target().std() * h[0];
    }
}
