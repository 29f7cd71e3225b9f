package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.row;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.EvaluateResponse;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.InlineRows;
import io.hpl.server.api.v1.ListModelsRequest;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upload a generated dataset, train, predict and evaluate, over real gRPC. */
@QuarkusTest
class EndToEndTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @BeforeEach
    void enginesLoaded() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
    }

    @Test
    void uploadTrainPredictEvaluate() {
        DatasetInfo dataset = upload(client, "y", GeneratedCsv.make(400, 200, 11), "id");
        assertEquals(400, dataset.getLabelledRows());
        assertEquals(200, dataset.getUnlabelledRows());
        assertEquals(3, dataset.getSchema().getFeaturesCount());

        String name = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        List<TrainEvent> events = client.train(TrainRequest.newBuilder()
                        .setDatasetId(dataset.getId()).setMethod(Method.SUPERVISED).setModelName(name).setSeed(5)
                        .putHyperparameters("iterations", "300").putHyperparameters("hidden_layers", "32,32")
                        .putHyperparameters("progress_every", "100").build())
                .collect().asList().await().atMost(TIMEOUT);
        assertTrue(events.get(0).hasAccepted());
        assertEquals(Method.SUPERVISED, events.get(0).getAccepted().getMethod());
        assertEquals(3, events.stream().filter(TrainEvent::hasProgress).count());
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        ModelInfo model = last.getFinished().getModel();
        assertEquals(1, model.getVersion());
        assertEquals("300", model.getHyperparametersMap().get("iterations"));
        assertEquals("0.05", model.getHyperparametersMap().get("dropout"), "defaults are recorded too");
        assertEquals(dataset.getSha256(), model.getDatasetSha256());
        assertEquals(64, model.getOnnxSha256().length());
        assertEquals(80, model.getCalibrationRows());
        assertTrue(model.getCalibrationMetrics().getMae() < 0.3, model.getCalibrationMetrics().toString());

        PredictResponse predicted = client.predict(PredictRequest.newBuilder().setModelName(name)
                .addRows(row(Map.of("a", 0.3, "b", 101.0, "c", "red")))
                .addRows(row(Map.of("a", -1.0, "b", 90.0, "c", "blue", "id", "x")))
                .build()).await().atMost(TIMEOUT);
        assertEquals(1, predicted.getVersion());
        assertEquals(2, predicted.getPredictionsCount());
        double truth0 = Math.sin(0.6) + 0.05 - 0.7;
        assertEquals(truth0, predicted.getPredictions(0).getMean(), 0.4);
        assertTrue(predicted.getPredictions(0).getVariance() > 0);

        EvaluateResponse onDataset = client.evaluate(EvaluateRequest.newBuilder().setModelName(name)
                .setDatasetId(upload(client, "y", GeneratedCsv.make(300, 0, 99), "id").getId()).build())
                .await().atMost(TIMEOUT);
        assertEquals(300, onDataset.getMetrics().getRows());
        assertTrue(onDataset.getMetrics().getMae() < 0.3, onDataset.toString());
        assertTrue(onDataset.getMetrics().getR2() > 0.8, onDataset.toString());
        assertTrue(onDataset.getMetrics().getCoverage90() > 0.75, onDataset.toString());
        assertTrue(Double.isNaN(onDataset.getMetrics().getSpearmanVarianceAbsError()), "constant sigma^2 has no rank");

        EvaluateResponse inline = client.evaluate(EvaluateRequest.newBuilder().setModelName(name)
                .setInline(InlineRows.newBuilder()
                        .addRows(row(Map.of("a", 0.3, "b", 101.0, "c", "red", "y", truth0)))
                        .addRows(row(Map.of("a", 0.0, "b", 100.0, "c", "green", "y", 0.0))))
                .build()).await().atMost(TIMEOUT);
        assertEquals(2, inline.getMetrics().getRows());

        List<ModelInfo> listed = client.listModels(ListModelsRequest.newBuilder().setName(name).build())
                .await().atMost(TIMEOUT).getModelsList();
        assertEquals(1, listed.size());
        ModelInfo got = client.getModel(GetModelRequest.newBuilder().setName(name).build()).await().atMost(TIMEOUT);
        assertTrue(got.getLoaded(), "Predict loaded its session");
        assertEquals(model, got.toBuilder().clearLoaded().build(), "the stored metadata, as Train's finished event gave it");
        assertFalse(model.getVarianceDefinition().isEmpty());
    }
}
