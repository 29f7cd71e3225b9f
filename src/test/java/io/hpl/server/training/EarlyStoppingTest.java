package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.data.Table;
import io.hpl.server.training.method.SupervisedMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Early stopping in the shared loop: stops on a calibration MAE that no longer falls, serves the best iterate. */
class EarlyStoppingTest {
    private final SupervisedMethod method = new SupervisedMethod();

    private TrainingOutcome train(Table table, List<TrainingProgress> events, Map<String, String> given) {
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        return method.train(new TrainingRun(table, hp, 0, Device.cpu(), events::add, () -> false));
    }

    /**
     * A small table and a large learning rate overfit and wander, so the MAE stops falling long before
     * the last iteration; the served model is then the best evaluation's, not the last step's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "packed_ensemble"})
    void stopsAndServesTheBestIterate(String backbone) {
        Table table = SyntheticTables.make(80, 0, 5);
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = train(table, events, Map.of("iterations", "5000", "progress_every", "20",
                "hidden_layers", "64,64", "learning_rate", "0.01", "early_stopping_patience", "3",
                "tabular_backbone", backbone));
        long ran = outcome.diagnostics().get("iterations_run").longValue();
        long best = outcome.diagnostics().get("best_iteration").longValue();
        TrainingProgress last = events.get(events.size() - 1);
        assertTrue(ran < 5000, "stopped early, ran " + ran);
        assertEquals(ran, last.iteration(), "the last progress event is the one that stopped the run");
        assertEquals(best + 3 * 20, ran, "three evaluations without improvement after the best");
        TrainingProgress atBest = events.stream().filter(e -> e.iteration() == best).findFirst().orElseThrow();
        double lowest = events.stream().mapToDouble(TrainingProgress::validationMae).min().orElseThrow();
        assertEquals(lowest, atBest.validationMae());
        assertTrue(last.validationMae() > atBest.validationMae());
        // The served weights are the best iterate's: the calibration rows give that evaluation's MAE again.
        assertEquals(atBest.validationMae(), outcome.calibrationMetrics().mae(), 1e-6);
        assertEquals(best, last.losses().get("best_iteration").longValue(), "progress events carry the best iteration");
    }

    @Test
    void offByDefaultRunsEveryIteration() {
        Table table = SyntheticTables.make(80, 0, 5);
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = train(table, events, Map.of("iterations", "200", "progress_every", "20",
                "hidden_layers", "16"));
        assertEquals(200, events.get(events.size() - 1).iteration());
        assertFalse(outcome.diagnostics().containsKey("best_iteration"));
        assertFalse(events.get(0).losses().containsKey("best_iteration"));
        assertEquals(events.get(events.size() - 1).validationMae(), outcome.calibrationMetrics().mae(), 1e-6);
    }
}
