package io.hpl.server.training.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.data.Table;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.ViewLearnedVariance;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.SyntheticTables;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every tabular method trains on the packed ensemble backbone; HPL's meta step runs on its K heads. */
class PackedBackboneMethodsTest {
    private static final MethodRegistry REGISTRY = MethodRegistry.standard();
    /** std of SyntheticTables' y is about 0.9; predicting the mean gives MAE about 0.7. */
    private static final double TARGET_STD = 0.9;

    @ParameterizedTest
    @EnumSource(value = MethodName.class, names = {"SUPERVISED", "PSEUDO_LABEL", "HPL", "MEAN_TEACHER"})
    void learnsOnThePackedBackbone(MethodName name) {
        Table table = SyntheticTables.make(400, name == MethodName.SUPERVISED ? 0 : 800, 1);
        TrainingMethod method = REGISTRY.get(name);
        Map<String, String> given = new java.util.HashMap<>(Map.of("iterations", "300",
                "hidden_layers", "32,32", "batch_size", "64", "progress_every", "100",
                "tabular_backbone", "packed_ensemble", "ensemble_size", "4", "embedding_bins", "8"));
        if (name == MethodName.HPL) {
            given.put("served_variance", "per_row"); // the learned σ² on the packed backbone is what is under test
        }
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        TrainingOutcome outcome = method.train(new TrainingRun(table, hp, 0, Device.cpu(), p -> { }, () -> false));
        double mae = outcome.calibrationMetrics().mae();
        System.out.printf("%s packed: validation MAE %.4f, %.3f ms/iteration, diagnostics %s%n",
                name, mae, outcome.millisPerIteration(), outcome.diagnostics());
        PackedMlp packed = assertInstanceOf(PackedMlp.class, outcome.model().regressor());
        assertEquals(4, packed.members());
        assertTrue(packed.encoding().outputs() > table.schema().encodedWidth(), "numeric columns are binned");
        // Nothing learned gives about 0.7; the plain MLP reaches about 0.2 with these settings.
        assertTrue(mae < 0.5 * TARGET_STD, name + " MAE " + mae);
        if (name == MethodName.HPL) {
            assertInstanceOf(ViewLearnedVariance.class, outcome.model().variance());
            assertEquals(60.0, outcome.diagnostics().get("meta_steps"), "a meta step every 5 iterations");
            double ratio = outcome.diagnostics().get("hypergradient_ratio");
            assertTrue(Double.isFinite(ratio) && ratio > 0, "the hypergradient through the K heads is non-zero: " + ratio);
        }
    }
}
