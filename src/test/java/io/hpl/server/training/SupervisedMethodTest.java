package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.model.Mlp;
import io.hpl.server.data.Table;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.training.method.SupervisedMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupervisedMethodTest {
    private final SupervisedMethod method = new SupervisedMethod();

    private TrainingOutcome train(Table table, long seed, List<TrainingProgress> events, Map<String, String> given) {
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        return method.train(new TrainingRun(table, hp, seed, Device.cpu(), events::add, () -> false));
    }

    @Test
    void learnsTheSignalAndCalibratesTheVarianceOnHeldOutRows() {
        Table table = SyntheticTables.make(500, 0, 1);
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = train(table, 0, events,
                Map.of("iterations", "400", "hidden_layers", "32,32", "progress_every", "100"));

        assertEquals(4, events.size());
        assertEquals(400, events.get(3).iteration());
        double targetStd = 0.9; // std of y is about 0.9; predicting the mean gives MAE about 0.7
        assertTrue(outcome.calibrationMetrics().mae() < 0.3 * targetStd, "MAE " + outcome.calibrationMetrics().mae());
        assertTrue(events.get(3).validationMae() < events.get(0).validationMae());
        assertEquals(100, outcome.calibrationRows());
        assertEquals(400, outcome.labelledRowsUsed());
        double variance = ((ConstantVariance) outcome.model().variance()).variance();
        double rmse = outcome.calibrationMetrics().rmse();
        assertEquals(rmse * rmse, variance, 1e-9, "constant sigma^2 is the held-out residual variance");
    }

    @Test
    void sameSeedGivesTheSameModelOnCpu() {
        Table table = SyntheticTables.make(200, 0, 2);
        Map<String, String> hp = Map.of("iterations", "50", "hidden_layers", "16");
        TrainingOutcome a = train(table, 7, new ArrayList<>(), hp);
        TrainingOutcome b = train(table, 7, new ArrayList<>(), hp);
        TrainingOutcome c = train(table, 8, new ArrayList<>(), hp);
        float[] wa = ((Mlp) a.model().regressor()).layers().get(0).weight();
        assertArrayEquals(wa, ((Mlp) b.model().regressor()).layers().get(0).weight());
        assertTrue(!java.util.Arrays.equals(wa, ((Mlp) c.model().regressor()).layers().get(0).weight()));
    }

    @Test
    void tooFewLabelledRowsIsAFailedPrecondition() {
        Table table = SyntheticTables.make(2, 10, 3);
        HplException e = assertThrows(HplException.class, () -> train(table, 0, new ArrayList<>(), Map.of()));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("2 labelled rows"), e.getMessage());
    }

    @Test
    void cancellationStopsTheRun() {
        Table table = SyntheticTables.make(100, 0, 4);
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), Map.of("iterations", "100000"));
        int[] calls = {0};
        assertThrows(TrainingCancelledException.class, () -> method.train(
                new TrainingRun(table, hp, 0, Device.cpu(), p -> { }, () -> ++calls[0] > 5)));
    }
}
