package io.hpl.server.training.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.Table;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.ResidualTreeVariance;
import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.SyntheticTables;
import io.hpl.server.training.TrainingCancelledException;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingProgress;
import io.hpl.server.training.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TreeMethodsTest {
    private static TrainingOutcome train(TrainingMethod method, Table table, Map<String, String> given,
                                         List<TrainingProgress> events) {
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        return method.train(new TrainingRun(table, hp, 0, Device.cpu(), events::add, () -> false));
    }

    /** y = x0 + noise whose std grows with |x1|: a table where a per-row σ² must pay. */
    static Table heteroscedastic(int labelled, int unlabelled, long seed) {
        DatasetSchema schema = new DatasetSchema("y", List.of(Column.numeric("a"), Column.numeric("b")), List.of());
        Random r = new Random(seed);
        int n = labelled + unlabelled;
        float[][] x = new float[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            x[i] = new float[] {(float) a, (float) b};
            y[i] = i < labelled ? 2 * a + (0.05 + Math.abs(b)) * r.nextGaussian() : Double.NaN;
        }
        return new Table(schema, x, y);
    }

    @Test
    void gbdtLearnsTheSignalAndServesAPerRowVarianceThatFollowsTheNoise() {
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = train(new GbdtMethod(), heteroscedastic(3000, 0, 1), Map.of(), events);
        assertEquals(GbdtMethod.STAGES, events.size(), "one progress event per stage");
        assertEquals(GbdtMethod.STAGES, events.get(events.size() - 1).iteration());
        // The noise alone has mean |e| = E[(0.05 + |b|)]·√(2/π) ≈ 0.68; the mean of y is ~1.6 away.
        assertTrue(outcome.calibrationMetrics().mae() < 0.85, "MAE " + outcome.calibrationMetrics().mae());
        assertTrue(outcome.calibrationMetrics().spearmanVarianceAbsError() > 0.3,
                "σ² ranks the errors: " + outcome.calibrationMetrics().spearmanVarianceAbsError());
        ResidualTreeVariance variance = assertInstanceOf(ResidualTreeVariance.class, outcome.model().variance());
        TreeEnsemble logVariance = variance.logVariance();
        // Standardised b: σ² at |b| = 2 must exceed σ² at b = 0 by far (true ratio ≈ 16).
        float near = logVariance.predict(new float[] {0, 0});
        float far = logVariance.predict(new float[] {0, 2});
        assertTrue(far - near > Math.log(4), "log σ² at b=0: " + near + ", at |b|=2: " + far);
    }

    @Test
    void hplGbdtLearnsFromPseudoLabelsAndWeightsUncertainOnesLess() {
        Table table = SyntheticTables.make(300, 3000, 2);
        TrainingOutcome outcome = train(new HplGbdtMethod(), table, Map.of(), new ArrayList<>());
        assertEquals(3000, outcome.unlabelledRowsUsed());
        assertTrue(outcome.calibrationMetrics().r2() > 0.8, "R² " + outcome.calibrationMetrics().r2());

        PreparedData data = PreparedData.prepare(table, 0.2, 0);
        HplGbdtMethod.PseudoLabels pseudo = HplGbdtMethod.teach(data, TreeHyperParameters.settings(
                HyperParameters.resolve(TreeHyperParameters.HPL_GBDT, Map.of())), 5, 0);
        // Rows with extreme a lie where the labelled rows are sparse: the teachers disagree more there.
        double inside = 0;
        double outside = 0;
        int nIn = 0;
        int nOut = 0;
        for (int j = 0; j < data.unlabelledX().length; j++) {
            if (Math.abs(data.unlabelledX()[j][0]) > 2) {
                outside += pseudo.z()[j];
                nOut++;
            } else if (Math.abs(data.unlabelledX()[j][0]) < 1) {
                inside += pseudo.z()[j];
                nIn++;
            }
        }
        assertTrue(outside / nOut > inside / nIn, "mean z outside " + outside / nOut + " vs inside " + inside / nIn);
    }

    @Test
    void treeMethodsRefuseWhatTheyCannotDo() {
        HplException none = assertThrows(HplException.class,
                () -> train(new HplGbdtMethod(), SyntheticTables.make(200, 0, 3), Map.of(), new ArrayList<>()));
        assertEquals(ErrorKind.FAILED_PRECONDITION, none.kind());
        assertTrue(none.getMessage().contains("unlabelled"), none.getMessage());

        GbdtMethod method = new GbdtMethod();
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), Map.of());
        assertThrows(TrainingCancelledException.class, () -> method.train(new TrainingRun(SyntheticTables.make(200, 0, 4),
                hp, 0, Device.cpu(), p -> { }, () -> true)));
    }
}
