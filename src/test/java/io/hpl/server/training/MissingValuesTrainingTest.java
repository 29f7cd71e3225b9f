package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.hpl.server.data.Table;
import io.hpl.server.model.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tables with empty cells: statistics ignore them, every regressor sees finite inputs, methods learn. */
class MissingValuesTrainingTest {
    private static final MethodRegistry REGISTRY = MethodRegistry.standard();

    @Test
    void preparedMatricesAreFiniteAndStatisticsIgnoreMissingCells() {
        Table table = SyntheticTables.withMissing(300, 700, 0.2, 5);
        PreparedData data = PreparedData.prepare(table, 0.2, 0);
        for (float[][] matrix : List.of(data.labelledX(), data.unlabelledX(), data.calibrationX())) {
            for (float[] row : matrix) {
                for (float v : row) {
                    assertTrue(Float.isFinite(v), "a regressor input is not finite: " + Arrays.toString(row));
                }
            }
        }
        // Column b (index 2) is ~N(100, 10): a mean over NaN-free cells, not NaN and not pulled to 0.
        assertEquals(100, data.features().mean()[2], 1.5);
        assertEquals(10, data.features().std()[2], 1.5);
        // Indicators (1, 3, 7) stay 0/1, like one-hot inputs.
        for (int j : new int[] {1, 3, 7}) {
            assertEquals(0f, data.features().mean()[j]);
            assertEquals(1f, data.features().std()[j]);
        }
        // A missing b standardises to exactly 0 (imputed with the mean), its indicator to 1.
        float[] row = PreparedData.standardiseRow(new float[] {0.5f, 0, Float.NaN, 1, 1, 0, 0, 0}, data.features());
        assertEquals(0f, row[2]);
        assertEquals(1f, row[3]);
    }

    /** Every method (trees too: they read the indicator inputs) trains on a table with 20% empty cells and beats predicting the mean on fresh rows with empty cells. */
    @ParameterizedTest
    @EnumSource(value = MethodName.class, names = {"SUPERVISED", "HPL", "GBDT", "HPL_GBDT"})
    void learnsOnATableWithMissingCells(MethodName name) {
        Table table = SyntheticTables.withMissing(400, 600, 0.2, 6);
        TrainingMethod method = REGISTRY.get(name);
        Map<String, String> given = new java.util.HashMap<>(
                Map.of("iterations", "300", "hidden_layers", "32,32", "batch_size", "64", "progress_every", "300"));
        given.keySet().retainAll(method.hyperParameters().stream().map(h -> h.name()).toList()); // trees have none of these
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = method.train(new TrainingRun(table, hp, 0, Device.cpu(), events::add, () -> false));
        assertTrue(Double.isFinite(outcome.calibrationMetrics().mae()));

        Table test = SyntheticTables.withMissing(1000, 0, 0.2, 7);
        Predictions p;
        try (NDManager manager = PyTorchEngine.get().newBaseManager()) {
            p = TrainedModelForward.predict(manager, outcome.model(), test.x());
        }
        double labelMean = Arrays.stream(test.y()).average().orElseThrow();
        double mae = 0;
        double baseline = 0;
        for (int i = 0; i < test.rows(); i++) {
            assertTrue(Double.isFinite(p.mean()[i]) && Double.isFinite(p.variance()[i]), "row " + i);
            mae += Math.abs(p.mean()[i] - test.y()[i]) / test.rows();
            baseline += Math.abs(labelMean - test.y()[i]) / test.rows();
        }
        TrainingOutcome complete = method.train(new TrainingRun(SyntheticTables.make(400, 600, 6), hp, 0, Device.cpu(),
                e -> { }, () -> false));
        System.out.printf("%s, 20%% missing cells: test MAE %.4f, predicting the mean %.4f, calibration MAE %.4f"
                + " (same table without missing cells: calibration MAE %.4f)%n",
                name, mae, baseline, outcome.calibrationMetrics().mae(), complete.calibrationMetrics().mae());
        assertTrue(mae < 0.7 * baseline, "MAE " + mae + " vs predicting the mean " + baseline);
    }
}
