package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.hpl.server.api.v1.Column;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.EvaluateResponse;
import io.hpl.server.api.v1.InlineRows;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A CSV with empty cells in a (numeric) and c (categorical), none in b: upload, train, Predict with
 * null and absent values, Evaluate on inline rows and on a dataset with empty cells, over real gRPC.
 */
@QuarkusTest
class MissingValuesOverGrpcTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    /** A row; a null value becomes a Struct NullValue, a key left out is absent. */
    private static Struct row(Map<String, Object> cells) {
        Struct.Builder b = Struct.newBuilder();
        cells.forEach((k, v) -> b.putFields(k, v == null ? Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build()
                : v instanceof Number n ? Value.newBuilder().setNumberValue(n.doubleValue()).build()
                : Value.newBuilder().setStringValue(String.valueOf(v)).build()));
        return b.build();
    }

    private static Map<String, Object> cells(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private PredictResponse predict(String model, Struct... rows) {
        return client.predict(PredictRequest.newBuilder().setModelName(model).addAllRows(List.of(rows)).build())
                .await().atMost(TIMEOUT);
    }

    @Test
    void emptyCellsThroughUploadTrainPredictAndEvaluate() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        DatasetInfo dataset = upload(client, "y", GeneratedCsv.withMissing(400, 200, 0.2, 21), "id");
        assertEquals(400, dataset.getLabelledRows());
        assertEquals(200, dataset.getUnlabelledRows());
        List<Column> features = dataset.getSchema().getFeaturesList();
        assertEquals(List.of("a", "b", "c"), features.stream().map(Column::getName).toList());
        assertEquals(List.of(true, false, true), features.stream().map(Column::getHasMissing).toList());
        assertEquals(List.of("blue", "green", "red"), features.get(2).getCategoriesList(), "no empty category name");

        String name = "missing-" + UUID.randomUUID().toString().substring(0, 8);
        List<TrainEvent> events = client.train(TrainRequest.newBuilder()
                        .setDatasetId(dataset.getId()).setMethod(Method.SUPERVISED).setModelName(name).setSeed(3)
                        .putHyperparameters("iterations", "300").putHyperparameters("hidden_layers", "32,32").build())
                .collect().asList().await().atMost(TIMEOUT);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        ModelInfo model = last.getFinished().getModel();
        assertTrue(model.getSchema().getFeatures(0).getHasMissing(), "ModelInfo tells which columns may be missing");
        assertFalse(model.getSchema().getFeatures(1).getHasMissing());

        // null and absent mean the same; a given value scores differently from a missing one.
        PredictResponse p = predict(name,
                row(cells("a", null, "b", 101.0, "c", null)),
                row(cells("b", 101.0)),
                row(cells("a", 0.3, "b", 101.0, "c", "red")),
                row(cells("a", 0.3, "b", 101.0)));
        assertEquals(4, p.getPredictionsCount());
        p.getPredictionsList().forEach(q -> assertTrue(Double.isFinite(q.getMean()) && q.getVariance() > 0, q.toString()));
        assertEquals(p.getPredictions(0).getMean(), p.getPredictions(1).getMean(), 0.0);
        assertNotEquals(p.getPredictions(2).getMean(), p.getPredictions(3).getMean());
        assertEquals(Math.sin(0.6) + 0.05 - 0.7, p.getPredictions(2).getMean(), 0.4);

        // b had no empty cells: absent or null is still an error naming it.
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(name, row(cells("a", 0.3, "c", "red"))),
                "row 0", "column 'b'", "missing value");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(name, row(cells("a", 0.3, "b", null, "c", "red"))),
                "column 'b'", "missing value");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(name, row(cells("a", 0.3, "b", 100.0, "c", "pink"))),
                "unknown category 'pink'");

        EvaluateResponse onDataset = client.evaluate(EvaluateRequest.newBuilder().setModelName(name)
                .setDatasetId(upload(client, "y", GeneratedCsv.withMissing(300, 0, 0.2, 77), "id").getId()).build())
                .await().atMost(TIMEOUT);
        assertEquals(300, onDataset.getMetrics().getRows());
        System.out.printf("Evaluate, 300 rows with 20%% of a and c empty: MAE %.4f, R² %.4f, coverage90 %.3f%n",
                onDataset.getMetrics().getMae(), onDataset.getMetrics().getR2(), onDataset.getMetrics().getCoverage90());
        // SyntheticTables' y has std about 0.9 (predicting the mean: MAE about 0.7); 20% of a and c missing costs some.
        assertTrue(onDataset.getMetrics().getMae() < 0.45, onDataset.toString());
        assertTrue(onDataset.getMetrics().getR2() > 0.6, onDataset.toString());

        EvaluateResponse inline = client.evaluate(EvaluateRequest.newBuilder().setModelName(name)
                .setInline(InlineRows.newBuilder()
                        .addRows(row(cells("a", null, "b", 101.0, "c", "red", "y", 0.4)))
                        .addRows(row(cells("b", 100.0, "y", 0.0))))
                .build()).await().atMost(TIMEOUT);
        assertEquals(2, inline.getMetrics().getRows());
        assertTrue(Double.isFinite(inline.getMetrics().getMae()));

        // A dataset with empty cells in b, which the model never saw missing: the line and column are named.
        String emptyB = "id,a,b,c,y\nr0,0.1,100,red,0.5\nr1,0.2,,blue,0.1\n";
        String emptyBId = upload(client, "y", emptyB, "id").getId();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(name)
                .setDatasetId(emptyBId).build()).await().atMost(TIMEOUT), "line 3", "column 'b'", "missing value");
    }

    @Test
    void numericColumnWithEmptyCellsAndNonNumbersIsCategoricalAndEmptyEverywhereIsRefused() {
        DatasetInfo mixed = upload(client, "y", "a,y\n1,2\n,3\nlow,4\n");
        Column a = mixed.getSchema().getFeatures(0);
        assertEquals(io.hpl.server.api.v1.ColumnKind.COLUMN_KIND_CATEGORICAL, a.getKind());
        assertEquals(List.of("1", "low"), a.getCategoriesList());
        assertTrue(a.getHasMissing());
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,b,y\n1,,2\n2,,3\n"),
                "column 'b' is empty in every row", "ignore_columns");
    }
}
