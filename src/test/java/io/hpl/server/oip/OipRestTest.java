package io.hpl.server.oip;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OIP v2 REST routes on the HTTP port: health, metadata, readiness, inference, and {"error"} bodies. */
@QuarkusTest
class OipRestTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @BeforeEach
    void models() throws InterruptedException {
        OipModels.ensureTrained(client, engines);
    }

    private static Map<String, Object> oneRow(String colour) {
        return Map.of("inputs", List.of(
                Map.of("name", "a", "datatype", "FP32", "shape", List.of(1), "data", List.of(0.3)),
                Map.of("name", "b", "datatype", "INT64", "shape", List.of(1), "data", List.of(101)),
                Map.of("name", "c", "datatype", "BYTES", "shape", List.of(1, 1), "data", List.of(List.of(colour)))));
    }

    @Test
    void serverRoutes() {
        given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
        given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
        given().get("/v2").then().statusCode(200).body("name", equalTo("hpl-server"));
    }

    @Test
    void modelMetadataAndReadiness() {
        given().get("/v2/models/" + OipModels.GBDT).then().statusCode(200)
                .body("name", equalTo(OipModels.GBDT))
                .body("inputs.name", equalTo(List.of("a", "b", "c")))
                .body("inputs.datatype", equalTo(List.of("FP64", "FP64", "BYTES")))
                .body("outputs.name", hasItems("mean", "variance"))
                .body("parameters.method", equalTo("GBDT"));
        given().get("/v2/models/" + OipModels.GBDT + "/ready").then().statusCode(200).body("ready", equalTo(true));
        given().get("/v2/models/no-such-model/ready").then().statusCode(404).body("error", containsString("no-such-model"));
        given().get("/v2/models/" + OipModels.GBDT + "/versions/999").then().statusCode(404)
                .body("error", containsString("999"));
    }

    @Test
    void inferAnswersTheProtocolsJson() {
        given().contentType("application/json").body(Map.of("id", "r1", "parameters", Map.of("interval_level", 0.8),
                        "inputs", oneRow("green").get("inputs")))
                .post("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(200)
                .body("model_name", equalTo(OipModels.MLP))
                .body("id", equalTo("r1"))
                .body("outputs.name", equalTo(List.of("mean", "variance", "lower", "upper")))
                .body("outputs[0].datatype", equalTo("FP32"))
                .body("outputs[0].shape", equalTo(List.of(1)))
                .body("outputs[0].data", hasSize(1));
    }

    @Test
    void errorsAreTheProtocolsErrorBodyWithAnHttpCode() {
        given().contentType("application/json").body(oneRow("purple"))
                .post("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(400)
                .body("error", containsString("unknown category 'purple'"));
        given().contentType("application/json").body("{not json")
                .post("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(400)
                .body("error", containsString("not JSON"));
        given().contentType("application/json").body(Map.of("inputs", List.of(Map.of("name", "a", "datatype", "FP16",
                        "shape", List.of(1), "data", List.of(1)))))
                .post("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(400)
                .body("error", containsString("'FP16'"));
        given().contentType("application/json").body(Map.of("inputs", List.of(Map.of("name", "c", "datatype", "BYTES",
                        "shape", List.of(1), "data", List.of(3)))))
                .post("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(400)
                .body("error", containsString("BYTES data must be strings"));
        given().get("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(404)
                .body("error", containsString("no OIP v2 route for GET"));
        given().contentType("application/json").body(oneRow("red"))
                .post("/v2/models/no-such-model/infer").then().statusCode(404)
                .body("error", containsString("no-such-model"));
        List<Double> many = Collections.nCopies(1001, 0.5); // %test limit: 1000 rows
        given().contentType("application/json").body(Map.of("inputs", List.of(
                        Map.of("name", "a", "datatype", "FP64", "shape", List.of(1001), "data", many),
                        Map.of("name", "b", "datatype", "FP64", "shape", List.of(1001), "data", many),
                        Map.of("name", "c", "datatype", "BYTES", "shape", List.of(1001),
                                "data", Collections.nCopies(1001, "red")))))
                .post("/v2/models/" + OipModels.MLP + "/infer").then().statusCode(413)
                .body("error", containsString("hpl.predict.max-rows"));
    }
}
