package io.hpl.server.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.PiecewiseLinearFit;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.TrainedModelForward;
import io.hpl.server.training.nn.PackedMlpNetwork;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A packed MLP ensemble's graph, run by ONNX Runtime, computes what the DJL forward computes. */
class PackedOnnxParityTest {
    private static NDManager manager;
    private static OrtSessionFactory factory;

    @BeforeAll
    static void setUp() {
        manager = PyTorchEngine.get().newBaseManager();
        factory = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /**
     * RandomModels' schema and standardizer with a packed regressor whose bins are fitted on
     * standardised rows drawn like the test rows (which also reach past the bins' range).
     */
    static TrainedModel packedModel(int members, int bins, List<Integer> hidden, long seed) {
        TrainedModel base = RandomModels.model(seed);
        float[][] training = RandomModels.rows(base, seed + 1, 400);
        float[][] standardised = Arrays.stream(training)
                .map(r -> PreparedData.standardiseRow(r, base.features())).toArray(float[][]::new);
        PackedMlp packed = PackedMlpNetwork.initial(
                PiecewiseLinearFit.fit(List.<float[][]>of(standardised), base.schema().oneHotMask(), bins),
                hidden, members, new Random(seed));
        return new TrainedModel(base.schema(), base.features(), packed, base.target(), base.variance());
    }

    @ParameterizedTest
    @CsvSource({"8,16,'32,32',constant", "1,0,'16',constant", "4,8,'16,8,8',constant", "8,16,'32,32',view",
            "8,16,'32,32',row"})
    void ortMatchesDjl(int members, int bins, String hidden, String variance) throws Exception {
        TrainedModel packed = packedModel(members, bins,
                Arrays.stream(hidden.split(",")).map(Integer::parseInt).toList(), 42);
        TrainedModel model = variance.equals("constant") ? packed
                : RandomModels.withLearnedVariance(packed, variance.equals("view"), 5);
        byte[] onnx = new OnnxModelWriter().write(model, Map.of());
        int n = 500;
        float[][] rows = RandomModels.rows(model, 7, n);
        Predictions djl = TrainedModelForward.predict(manager, model, rows);
        Predictions ort;
        try (OnnxModelSession session = factory.open(onnx)) {
            ort = session.predict(rows);
        }
        double worstMean = worst(djl.mean(), ort.mean(), "mean");
        double worstVariance = worst(djl.variance(), ort.variance(), "variance");
        double spread = Arrays.stream(djl.mean()).max().getAsDouble() - Arrays.stream(djl.mean()).min().getAsDouble();
        assertTrue(spread > 1, "the model's means vary across rows: " + spread);
        assertEquals(n, ort.size());
        System.out.printf("packed K=%d bins=%d hidden=%s variance=%s: worst |DJL-ORT| mean %.3g, variance %.3g%n",
                members, bins, hidden, variance, worstMean, worstVariance);
    }

    /** Asserts |a − b| ≤ 1e-4·(1 + |a|) elementwise and returns the largest |a − b|. */
    private static double worst(double[] a, double[] b, String what) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - b[i]);
            assertTrue(Double.isFinite(a[i]) && Double.isFinite(b[i]), what + " row " + i + " not finite");
            assertTrue(diff <= 1e-4 * (1 + Math.abs(a[i])), what + " row " + i + ": DJL " + a[i] + " vs ORT " + b[i]);
            max = Math.max(max, diff);
        }
        return max;
    }
}
