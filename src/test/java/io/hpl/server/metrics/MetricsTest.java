package io.hpl.server.metrics;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.row;
import static io.hpl.server.api.ApiTestSupport.upload;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Train and predict over gRPC, then read /q/metrics as Prometheus would, on the management
 * interface's port; the main HTTP port (probes) no longer serves it.
 */
@QuarkusTest
class MetricsTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @TestHTTPResource(value = "metrics", management = true) // under the management root, /q
    URL managementMetrics;

    @Test
    void metricsAreOnTheManagementPortOnlyAndHealthStaysOnTheMainPort() {
        given().when().get(managementMetrics).then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(404);
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void trainingAndPredictionShowInPrometheusMetrics() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        DatasetInfo dataset = upload(client, "y", GeneratedCsv.make(200, 0, 7), "id");
        String name = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        List<TrainEvent> events = client.train(TrainRequest.newBuilder()
                        .setDatasetId(dataset.getId()).setMethod(Method.SUPERVISED).setModelName(name).setSeed(1)
                        .putHyperparameters("iterations", "20").putHyperparameters("hidden_layers", "8")
                        .putHyperparameters("progress_every", "10").build())
                .collect().asList().await().atMost(TIMEOUT);
        assertTrue(events.get(events.size() - 1).hasFinished(), events.toString());
        client.predict(PredictRequest.newBuilder().setModelName(name)
                .addRows(row(Map.of("a", 0.3, "b", 101.0, "c", "red")))
                .addRows(row(Map.of("a", 0.1, "b", 99.0, "c", "blue")))
                .addRows(row(Map.of("a", -0.5, "b", 95.0, "c", "green")))
                .build()).await().atMost(TIMEOUT);

        PrometheusText metrics = new PrometheusText(
                given().when().get(managementMetrics).then().statusCode(200).extract().asString());

        String model = "model=\"" + name + "\"";
        assertEquals(1.0, metrics.value("hpl_rpc_duration_seconds_count", "rpc=\"Predict\"", model, "code=\"OK\""));
        assertEquals(1.0, metrics.value("hpl_rpc_duration_seconds_count", "rpc=\"Train\"", model, "code=\"OK\""));
        assertTrue(metrics.value("hpl_rpc_duration_seconds_sum", "rpc=\"Train\"", model) > 0);
        assertEquals(1.0, metrics.value("hpl_rpc_duration_seconds_bucket", "rpc=\"Predict\"", model, "le=\"+Inf\""));
        assertTrue(metrics.value("hpl_rpc_duration_seconds_count", "rpc=\"UploadDataset\"", "code=\"OK\"") >= 1);

        assertEquals(1.0, metrics.value("hpl_predict_batch_rows_count", model));
        assertEquals(3.0, metrics.value("hpl_predict_batch_rows_sum", model));
        assertEquals(1.0, metrics.value("hpl_predict_batch_rows_bucket", model, "le=\"10.0\""));

        assertTrue(metrics.value("hpl_training_jobs_total", "method=\"SUPERVISED\"", "state=\"finished\"") >= 1);
        assertTrue(metrics.value("hpl_training_iterations_total") >= 20);
        assertTrue(metrics.value("hpl_training_iterations_per_second") > 0);
        // Training has its own histogram, buckets to hours (the RPC one stops at 30 s).
        // (>= 1: other test classes share this server and may have trained SUPERVISED too)
        double trained = metrics.value("hpl_training_duration_seconds_count", "method=\"SUPERVISED\"", "state=\"finished\"");
        assertTrue(trained >= 1);
        assertEquals(trained, metrics.value("hpl_training_duration_seconds_bucket", "method=\"SUPERVISED\"",
                "state=\"finished\"", "le=\"28800.0\""), "every job ends in the 8 h bucket");
        // Every hpl_ family says what it is.
        metrics.text().lines().filter(l -> l.startsWith("# TYPE hpl_")).map(l -> l.split(" ")[2]).forEach(family ->
                assertTrue(metrics.text().lines().anyMatch(l -> l.startsWith("# HELP " + family + " ")
                        && !l.substring(("# HELP " + family + " ").length()).isBlank()), family + " has no HELP text"));
        assertEquals(0.0, metrics.value("hpl_training_queue_jobs"), "nothing is training now");
        assertTrue(metrics.value("hpl_models_loaded") >= 1, "the model just used for Predict is loaded");
        // Quarkus' own gRPC server metrics sit beside ours (no model tag).
        assertTrue(metrics.find("grpc_server_processing_duration_seconds_count", "method=\"Predict\"").isPresent(),
                "Quarkus gRPC server metrics");
    }

    /** The lines of a Prometheus text exposition, looked up by name and label fragments. */
    record PrometheusText(String text) {
        OptionalDouble find(String name, String... labels) {
            return text.lines()
                    .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                    .filter(l -> List.of(labels).stream().allMatch(l::contains))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .findFirst();
        }

        double value(String name, String... labels) {
            return find(name, labels).orElseThrow(() -> new AssertionError(
                    name + " " + List.of(labels) + " not in /q/metrics:\n" + text.lines()
                            .filter(l -> l.startsWith("hpl_")).reduce("", (a, b) -> a + b + "\n")));
        }
    }
}
