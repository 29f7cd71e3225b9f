package io.hpl.server.training.auto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.hpl.server.data.Table;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.Selection;
import io.hpl.server.training.SyntheticImages;
import io.hpl.server.training.SyntheticTables;
import io.hpl.server.training.TrainedModelForward;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoMethodTest {
    private static final MethodRegistry REGISTRY = MethodRegistry.standard();

    /** The real candidates, with an MLP small enough for a unit test. */
    private static List<AutoCandidate> small(boolean unlabelled, String mlpIterations) {
        List<AutoCandidate> list = new ArrayList<>(List.of(new AutoCandidate("GBDT", MethodName.GBDT, Map.of())));
        if (unlabelled) {
            list.add(new AutoCandidate("HPL_GBDT", MethodName.HPL_GBDT, Map.of()));
        }
        list.add(new AutoCandidate("MLP", MethodName.SUPERVISED, Map.of("iterations", mlpIterations,
                "hidden_layers", "32,32", "progress_every", "100")));
        return list;
    }

    private static TrainingOutcome train(AutoMethod auto, Table table, Map<String, String> given) {
        HyperParameters hp = HyperParameters.resolve(auto.hyperParameters(), given);
        return auto.train(new TrainingRun(table, hp, 0, Device.cpu(), p -> { }, () -> false));
    }

    @Test
    void recordsEveryCandidateAndServesAnExportableBlendNoWorseThanItsBestCandidate() throws Exception {
        Table table = SyntheticTables.make(600, 2000, 1);
        AutoMethod auto = new AutoMethod(REGISTRY::get, u -> small(u, "600"));
        TrainingOutcome outcome = train(auto, table, Map.of());

        Selection selection = outcome.selection();
        assertEquals(List.of("GBDT", "HPL_GBDT", "MLP"), selection.candidates().stream().map(Selection.Candidate::name).toList());
        double weights = 0;
        double best = Double.POSITIVE_INFINITY;
        for (Selection.Candidate c : selection.candidates()) {
            assertTrue(Double.isFinite(c.calibrationMae()) && c.seconds() > 0, c.toString());
            assertEquals(c.weight() > 0 ? "used" : "not used", c.status());
            weights += c.weight();
            best = Math.min(best, c.calibrationMae());
        }
        assertEquals(1.0, weights, 1e-9);
        assertTrue(!selection.served().isEmpty() && selection.reason().contains("cross-fitted"), selection.toString());
        // Cross-fitted: honest, so it may trail the best candidate scored in-sample, but not by much.
        assertTrue(outcome.calibrationMetrics().mae() < 1.1 * best, outcome.calibrationMetrics().mae() + " vs " + best);
        assertEquals(2000, outcome.unlabelledRowsUsed());

        float[][] rows = Arrays.copyOf(table.x(), 300);
        Predictions ort;
        try (OnnxModelSession session = new OrtSessionFactory(OrtSessionFactory.Device.CPU)
                .open(new OnnxModelWriter().write(outcome.model(), Map.of()))) {
            ort = session.predict(rows);
        }
        Predictions djl;
        try (NDManager manager = PyTorchEngine.get().newBaseManager()) {
            djl = TrainedModelForward.predict(manager, outcome.model(), rows);
        }
        for (int i = 0; i < rows.length; i++) {
            assertEquals(djl.mean()[i], ort.mean()[i], 1e-4 * (1 + Math.abs(djl.mean()[i])));
            assertEquals(djl.variance()[i], ort.variance()[i], 1e-4 * (1 + Math.abs(djl.variance()[i])));
        }
    }

    @Test
    void aSmallTableIsDecidedOnOutOfFoldPredictionsOfItsTrainingRows() {
        Table table = SyntheticTables.make(200, 400, 4); // 40 calibration rows, 160 training rows
        TrainingOutcome outcome = train(new AutoMethod(REGISTRY::get, u -> small(u, "300")), table, Map.of());
        Selection selection = outcome.selection();
        assertTrue(selection.reason().contains("5-fold out-of-fold predictions of the 160 labelled training rows"),
                selection.reason());
        assertEquals(1.0, selection.candidates().stream().mapToDouble(Selection.Candidate::weight).sum(), 1e-9);
        assertEquals(40, outcome.calibrationRows());
        assertTrue(outcome.calibrationMetrics().r2() > 0.7, outcome.calibrationMetrics().toString());
    }

    @Test
    void foldTablesKeepOnlyTheOtherFoldsLabels() {
        Table table = SyntheticTables.make(50, 10, 5);
        List<Integer> training = java.util.stream.IntStream.range(0, 40).boxed().toList();
        int[] fold = OutOfFold.folds(training.size(), 1);
        assertEquals(8, Arrays.stream(fold).filter(f -> f == 2).count(), "40 rows dealt evenly into 5 folds");
        Table two = OutOfFold.foldTable(table, training, fold, 2);
        for (int row = 0; row < table.rows(); row++) {
            boolean keeps = row < 40 && fold[row] != 2;
            assertEquals(keeps, !Double.isNaN(two.y()[row]), "row " + row);
            if (keeps) {
                assertEquals(table.y()[row], two.y()[row]);
            }
        }
        assertTrue(!Double.isNaN(table.y()[45]), "the original table is not changed");
    }

    @Test
    void aCandidateStillRunningWhenTheBudgetEndsIsDroppedAndTheTreesAreServed() {
        AutoMethod auto = new AutoMethod(REGISTRY::get, u -> small(u, "1000000"));
        TrainingOutcome outcome = train(auto, SyntheticTables.make(300, 0, 2), Map.of("time_budget_seconds", "5"));
        List<Selection.Candidate> candidates = outcome.selection().candidates();
        assertEquals(2, candidates.size(), "no unlabelled rows: no HPL_GBDT");
        assertEquals("GBDT", candidates.get(0).name());
        assertEquals(1.0, candidates.get(0).weight());
        assertEquals("MLP", candidates.get(1).name());
        assertTrue(candidates.get(1).status().startsWith("stopped: time budget"), candidates.get(1).status());
        assertTrue(outcome.calibrationMetrics().r2() > 0.5, outcome.calibrationMetrics().toString());
    }

    @Test
    void imagesAreRefusedWithAPointerToTheirMethods() {
        HplException e = assertThrows(HplException.class,
                () -> train(new AutoMethod(REGISTRY::get), SyntheticImages.make(40, 0, 3), Map.of()));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("images"), e.getMessage());
    }
}
