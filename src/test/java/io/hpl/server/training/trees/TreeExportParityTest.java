package io.hpl.server.training.trees;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Blend;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.ResidualTreeVariance;
import io.hpl.server.model.Standardizer;
import io.hpl.server.model.TargetScale;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.TrainedModelForward;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * XGBoost's own predictions, our tree walk and ONNX Runtime's TreeEnsembleRegressor must agree,
 * missing values included: the exported graph is what Predict serves.
 */
class TreeExportParityTest {
    private static final int D = 6;
    private static final BoostingSettings SETTINGS = new BoostingSettings(150, 0.1, 31, 5, 0, 0.8, 0.9, 255);

    /** y depends on interactions and on x0's missingness, so default directions matter. */
    private static float[][] rows(int n, long seed, double missing) {
        Random r = new Random(seed);
        float[][] x = new float[n][D];
        for (float[] row : x) {
            for (int j = 0; j < D; j++) {
                row[j] = r.nextDouble() < missing ? Float.NaN : (float) (r.nextGaussian() * (j + 1));
            }
        }
        return x;
    }

    private static float[] target(float[][] x, long seed) {
        Random r = new Random(seed);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float a = Float.isNaN(x[i][0]) ? 3 : x[i][0];
            float b = Float.isNaN(x[i][1]) ? 0 : x[i][1];
            y[i] = (float) (Math.sin(a) + 0.3 * a * (b > 0 ? 1 : -1) + 0.1 * r.nextGaussian());
        }
        return y;
    }

    @Test
    void xgboostTreeWalkAndOnnxRuntimeAgree() throws Exception {
        float[][] train = rows(3000, 1, 0.1);
        float[][] test = rows(2000, 2, 0.15);
        GradientBoosting.Scored fit = GradientBoosting.fitAndScore(train, target(train, 3), null, D, SETTINGS, 7, test);
        TreeEnsemble trees = fit.trees();
        assertEquals(150, trees.trees().size());

        TrainedModel model = identityModel(trees, new ConstantVariance(0.25));
        Predictions ort = ortPredict(model, test);
        double worst = 0;
        for (int i = 0; i < test.length; i++) {
            float xgb = fit.xgboostPredictions()[i];
            float walk = trees.predict(test[i]);
            double bound = 1e-5 * (1 + Math.abs(xgb));
            assertTrue(Math.abs(walk - xgb) <= bound, "row " + i + ": tree walk " + walk + " vs XGBoost " + xgb);
            assertTrue(Math.abs(ort.mean()[i] - xgb) <= bound, "row " + i + ": ORT " + ort.mean()[i] + " vs XGBoost " + xgb);
            assertEquals(0.25, ort.variance()[i], 1e-7);
            worst = Math.max(worst, Math.abs(ort.mean()[i] - xgb));
        }
        System.out.printf("trees: worst |ORT - XGBoost| %.3g over %d rows%n", worst, test.length);
    }

    @Test
    void blendAndResidualTreeVarianceMatchTheTrainingSideForward() throws Exception {
        float[][] train = rows(1500, 4, 0.05);
        float[] y = target(train, 5);
        TreeEnsemble a = GradientBoosting.fit(train, y, null, D, SETTINGS.withRounds(40), 1);
        TreeEnsemble b = GradientBoosting.fit(train, y, null, D, SETTINGS.withRounds(80), 2);
        float[] logSquares = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            logSquares[i] = (float) Math.log(y[i] * y[i] + 1e-3);
        }
        TreeEnsemble variance = GradientBoosting.fit(train, logSquares, null, D, SETTINGS.withRounds(30), 3);
        TrainedModel model = new TrainedModel(schema(), standardizer(), new Blend(List.of(a, b), new double[] {0.3, 0.7}),
                new TargetScale(2.5, 0.5), new ResidualTreeVariance(variance, 0.8));
        float[][] test = rows(700, 6, 0.1);
        Predictions ort = ortPredict(model, test);
        Predictions djl;
        try (NDManager manager = PyTorchEngine.get().newBaseManager()) {
            djl = TrainedModelForward.predict(manager, model, test);
        }
        for (int i = 0; i < test.length; i++) {
            assertEquals(djl.mean()[i], ort.mean()[i], 1e-4 * (1 + Math.abs(djl.mean()[i])), "mean, row " + i);
            assertEquals(djl.variance()[i], ort.variance()[i], 1e-4 * (1 + Math.abs(djl.variance()[i])), "σ², row " + i);
        }
        double spread = 0;
        for (int i = 1; i < test.length; i++) {
            spread = Math.max(spread, Math.abs(ort.variance()[i] - ort.variance()[0]));
        }
        assertTrue(spread > 1e-3, "a per-row σ² varies across rows");
    }

    private static Predictions ortPredict(TrainedModel model, float[][] rows) throws Exception {
        byte[] onnx = new OnnxModelWriter().write(model, Map.of());
        try (OnnxModelSession session = new OrtSessionFactory(OrtSessionFactory.Device.CPU).open(onnx)) {
            return session.predict(rows);
        }
    }

    /** Standardiser and target scale that change nothing, so ORT's mean is the trees' raw output. */
    private static TrainedModel identityModel(TreeEnsemble trees, ConstantVariance variance) {
        return new TrainedModel(schema(), standardizerIdentity(), trees, new TargetScale(0, 1), variance);
    }

    private static DatasetSchema schema() {
        List<Column> columns = new java.util.ArrayList<>();
        for (int j = 0; j < D; j++) {
            columns.add(Column.numeric("x" + j));
        }
        return new DatasetSchema("y", columns, List.of());
    }

    private static Standardizer standardizerIdentity() {
        float[] zero = new float[D];
        float[] one = new float[D];
        java.util.Arrays.fill(one, 1f);
        return new Standardizer(zero, one);
    }

    private static Standardizer standardizer() {
        float[] mean = new float[D];
        float[] std = new float[D];
        for (int j = 0; j < D; j++) {
            mean[j] = 0.1f * j;
            std[j] = 1f + 0.5f * j;
        }
        return new Standardizer(mean, std);
    }
}
