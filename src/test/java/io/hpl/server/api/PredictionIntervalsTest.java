package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static io.hpl.server.api.ApiTestSupport.row;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.hpl.server.api.v1.CoveragePoint;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.Metrics;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.Prediction;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Served prediction intervals over gRPC: Predict's bounds at a requested level, Evaluate's coverage
 * and reliability curve, ModelInfo's note, and a model.json from before conformal calibration.
 */
@QuarkusTest
class PredictionIntervalsTest {
    private static final double Z90 = 1.6448536269514722;

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Inject
    ServerConfig config;

    @Test
    void predictReturnsIntervalsAndEvaluateMeasuresThem() throws Exception {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        DatasetInfo dataset = upload(client, "y", GeneratedCsv.make(400, 0, 11), "id");
        String name = "intervals-" + UUID.randomUUID().toString().substring(0, 8);
        List<TrainEvent> events = client.train(TrainRequest.newBuilder().setDatasetId(dataset.getId())
                        .setMethod(Method.SUPERVISED).setModelName(name).setSeed(5)
                        .putHyperparameters("iterations", "300").putHyperparameters("hidden_layers", "32,32").build())
                .collect().asList().await().atMost(TIMEOUT);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        ModelInfo model = last.getFinished().getModel();
        assertTrue(model.getUncertaintyNote().startsWith("constant sigma^2 served"), model.getUncertaintyNote());
        Metrics calibration = model.getCalibrationMetrics();
        assertEquals(10, calibration.getReliabilityCount());
        assertTrue(calibration.getIntervalCoverage90() >= 0.9, "conformal, on its own calibration rows: " + calibration);

        PredictRequest.Builder request = PredictRequest.newBuilder().setModelName(name)
                .addRows(row(Map.of("a", 0.3, "b", 101.0, "c", "red")))
                .addRows(row(Map.of("a", -1.0, "b", 90.0, "c", "blue")));
        List<Prediction> at50 = predict(request.clone().setIntervalLevel(0.5));
        List<Prediction> atDefault = predict(request.clone());
        List<Prediction> at90 = predict(request.clone().setIntervalLevel(0.9));
        List<Prediction> at95 = predict(request.clone().setIntervalLevel(0.95));
        for (int i = 0; i < 2; i++) {
            for (Prediction p : List.of(at50.get(i), at90.get(i), at95.get(i))) {
                assertTrue(p.getLower() <= p.getMean() && p.getMean() <= p.getUpper(), p.toString());
                assertEquals(p.getMean() - p.getLower(), p.getUpper() - p.getMean(), 1e-9, "symmetric about the mean");
            }
            assertTrue(width(at95.get(i)) > width(at90.get(i)) && width(at90.get(i)) > width(at50.get(i)),
                    at50.get(i) + " / " + at90.get(i) + " / " + at95.get(i));
            assertEquals(at90.get(i), atDefault.get(i), "the default level is 0.9");
        }
        for (double bad : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertStatus(Status.Code.INVALID_ARGUMENT,
                    () -> client.predict(request.clone().setIntervalLevel(bad).build()).await().atMost(TIMEOUT),
                    "interval_level", "between 0 and 1");
        }

        Metrics test = client.evaluate(EvaluateRequest.newBuilder().setModelName(name)
                        .setDatasetId(upload(client, "y", GeneratedCsv.make(600, 0, 99), "id").getId()).build())
                .await().atMost(TIMEOUT).getMetrics();
        System.out.printf(java.util.Locale.ROOT, "served intervals on 600 new rows: coverage 50/80/90/95%% = %.3f/%.3f/%.3f/%.3f,"
                        + " Gaussian coverage_90 %.3f; 90%% widths %.4f, %.4f%n", test.getIntervalCoverage50(),
                test.getIntervalCoverage80(), test.getIntervalCoverage90(), test.getIntervalCoverage95(), test.getCoverage90(),
                width(at90.get(0)), width(at90.get(1)));
        assertEquals(10, test.getReliabilityCount());
        double previous = -1;
        for (CoveragePoint p : test.getReliabilityList()) {
            assertTrue(p.getCoverage() >= previous, "coverage grows with the level: " + test.getReliabilityList());
            previous = p.getCoverage();
        }
        assertEquals(0.9, test.getReliability(8).getLevel(), 1e-12);
        assertEquals(test.getReliability(8).getCoverage(), test.getIntervalCoverage90(), 0);
        assertEquals(test.getReliability(4).getCoverage(), test.getIntervalCoverage50(), 0);
        assertEquals(test.getReliability(7).getCoverage(), test.getIntervalCoverage80(), 0);
        assertEquals(test.getReliability(9).getCoverage(), test.getIntervalCoverage95(), 0);
        // 80 calibration rows: the level holds in expectation; a few points either way on 600 new rows.
        assertTrue(test.getIntervalCoverage90() > 0.8 && test.getIntervalCoverage50() < test.getIntervalCoverage95(),
                test.toString());

        // A model.json written before conformal calibration: no scores, no note, no reliability. The same
        // version, stored as an older server wrote it under a name of its own (published versions never
        // change in place, so the server would rightly keep serving the record it read).
        String oldName = name + "-old";
        Path version = Path.of(config.store().dir(), "models", name, "1");
        Path oldVersion = Files.createDirectories(Path.of(config.store().dir(), "models", oldName, "1"));
        Files.copy(version.resolve("model.onnx"), oldVersion.resolve("model.onnx"));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode record = (ObjectNode) mapper.readTree(version.resolve("model.json").toFile());
        record.remove(List.of("conformal", "uncertaintyNote"));
        ((ObjectNode) record.get("calibrationMetrics")).remove("reliability");
        record.put("name", oldName);
        mapper.writeValue(oldVersion.resolve("model.json").toFile(), record);
        request.setModelName(oldName);
        ModelInfo old = client.getModel(GetModelRequest.newBuilder().setName(oldName).build()).await().atMost(TIMEOUT);
        assertTrue(old.getUncertaintyNote().contains("Gaussian"), old.getUncertaintyNote());
        assertEquals(0, old.getCalibrationMetrics().getReliabilityCount());
        List<Prediction> gaussian = predict(request.clone());
        for (int i = 0; i < 2; i++) {
            Prediction p = gaussian.get(i);
            assertEquals(at90.get(i).getMean(), p.getMean(), 0, "the same ONNX graph");
            assertEquals(Z90 * Math.sqrt(p.getVariance()), p.getUpper() - p.getMean(), 1e-6, "mean + z * sigma");
        }
        Metrics oldTest = client.evaluate(EvaluateRequest.newBuilder().setModelName(oldName)
                .setDatasetId(dataset.getId()).build()).await().atMost(TIMEOUT).getMetrics();
        assertEquals(oldTest.getCoverage90(), oldTest.getIntervalCoverage90(), 0, "Gaussian intervals served");
    }

    private List<Prediction> predict(PredictRequest.Builder request) {
        return client.predict(request.build()).await().atMost(TIMEOUT).getPredictionsList();
    }

    private static double width(Prediction p) {
        return p.getUpper() - p.getLower();
    }
}
