package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static io.hpl.server.api.ApiTestSupport.row;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.GetDatasetRequest;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every bad input gets a status a person can act on, and the server keeps serving afterwards. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiErrorsTest {
    private static final String MODEL = "errors-model";

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @BeforeAll
    void trainOneModel() throws InterruptedException {
        ApiTestSupport.trainSmallTabularModel(client, engines, MODEL);
    }

    @AfterEach
    void stillServing() {
        assertTrue(client.listModels(ListModelsRequest.newBuilder().setName(MODEL).build())
                .await().atMost(TIMEOUT).getModelsCount() >= 1);
    }

    private void uploadFails(Status.Code code, String csv, String target, String... words) {
        assertStatus(code, () -> upload(client, target, csv), words);
    }

    @Test
    void malformedCsv() {
        uploadFails(Status.Code.INVALID_ARGUMENT, "a,y\n1,2\n\"3,4\n", "y", "line 3");
    }

    @Test
    void raggedRow() {
        uploadFails(Status.Code.INVALID_ARGUMENT, "a,b,y\n1,2,3\n4,5\n", "y", "line 3", "3", "2");
    }

    @Test
    void nanAndInfinity() {
        uploadFails(Status.Code.INVALID_ARGUMENT, "a,y\n1,2\nNaN,3\n", "y", "line 3", "'a'");
        uploadFails(Status.Code.INVALID_ARGUMENT, "a,y\n1,2\n2,Inf\n", "y", "line 3", "'y'");
    }

    @Test
    void nonNumericTarget() {
        uploadFails(Status.Code.INVALID_ARGUMENT, "a,y\n1,2\n2,abc\n", "y", "line 3", "'y'");
    }

    @Test
    void unknownTargetColumn() {
        uploadFails(Status.Code.INVALID_ARGUMENT, "a,y\n1,2\n", "price", "price");
    }

    @Test
    void noLabelledRows() {
        uploadFails(Status.Code.FAILED_PRECONDITION, "a,y\n1,\n2,\n", "y", "labelled");
    }

    @Test
    void headerMustComeFirst() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().item(
                UploadDatasetRequest.newBuilder().setChunk(com.google.protobuf.ByteString.copyFromUtf8("a,y\n")).build()))
                .await().atMost(TIMEOUT), "header");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().empty())
                .await().atMost(TIMEOUT), "empty");
    }

    @Test
    void unknownDatasetModelAndVersion() {
        assertStatus(Status.Code.NOT_FOUND, () -> client.getDataset(GetDatasetRequest.newBuilder().setId("ds-nope").build())
                .await().atMost(TIMEOUT), "ds-nope");
        assertStatus(Status.Code.NOT_FOUND, () -> client.train(TrainRequest.newBuilder().setDatasetId("ds-nope")
                .setModelName("m").build()).collect().asList().await().atMost(TIMEOUT), "ds-nope");
        assertStatus(Status.Code.NOT_FOUND, () -> client.getModel(GetModelRequest.newBuilder().setName("no-such-model").build())
                .await().atMost(TIMEOUT), "no-such-model");
        assertStatus(Status.Code.NOT_FOUND, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL).setVersion(99)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "red"))).build()).await().atMost(TIMEOUT), "99");
    }

    @Test
    void badTrainRequests() {
        String id = upload(client, "y", GeneratedCsv.make(30, 0, 4), "id").getId();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(id)
                .setModelName("../x").build()).collect().asList().await().atMost(TIMEOUT), "model_name");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(id)
                .setModelName("m").setMethod(Method.SUPERVISED).putHyperparameters("iterations", "-3").build())
                .collect().asList().await().atMost(TIMEOUT), "iterations");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(id)
                .setModelName("m").setMethod(Method.SUPERVISED).putHyperparameters("learnin_rate", "1").build())
                .collect().asList().await().atMost(TIMEOUT), "learnin_rate", "learning_rate");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(id)
                .setModelName("m").setMethod(Method.SUPERVISED).putHyperparameters("ensemble_size", "4").build())
                .collect().asList().await().atMost(TIMEOUT), "ensemble_size", "packed_ensemble");
    }

    @Test
    void wrongColumnsInPredict() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(Map.of("a", 1, "c", "red")), "row 0", "'b'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(Map.of("a", 1, "b", 100, "c", "red", "bb", 2)),
                "row 0", "'bb'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(Map.of("a", "abc", "b", 100, "c", "red")),
                "row 0", "'a'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(Map.of("a", 1, "b", 100, "c", "purple")),
                "row 0", "'c'", "purple");
    }

    private Object predict(Map<String, Object> cells) {
        return client.predict(PredictRequest.newBuilder().setModelName(MODEL).addRows(row(cells)).build())
                .await().atMost(TIMEOUT);
    }

    @Test
    void emptyAndOversizedBatches() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .build()).await().atMost(TIMEOUT), "empty");
        PredictRequest.Builder big = PredictRequest.newBuilder().setModelName(MODEL);
        for (int i = 0; i < 1001; i++) {
            big.addRows(row(Map.of("a", 1, "b", 100, "c", "red")));
        }
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> client.predict(big.build()).await().atMost(TIMEOUT),
                "1001", "1000");
    }

    @Test
    void oversizedMessage() {
        PredictRequest.Builder huge = PredictRequest.newBuilder().setModelName(MODEL);
        String padding = "x".repeat(20 * 1024 * 1024);
        huge.addRows(row(Map.of("a", 1, "b", 100, "c", padding)));
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> client.predict(huge.build()).await().atMost(TIMEOUT));
    }

    @Test
    void evaluateNeedsData() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(MODEL)
                .build()).await().atMost(TIMEOUT), "dataset_id");
        String unlabelledOnlyTarget = upload(client, "y", "id,a,b,c,y\nr1,1,100,red,\nr2,2,100,red,5\n", "id").getId();
        EvaluateRequest request = EvaluateRequest.newBuilder().setModelName(MODEL).setDatasetId(unlabelledOnlyTarget).build();
        assertEquals(1, client.evaluate(request).await().atMost(TIMEOUT).getMetrics().getRows(),
                "unlabelled rows are skipped");
        String wrongType = upload(client, "y", "id,a,b,c,y\nr1,x,100,red,1\nr2,2,100,red,5\n", "id").getId();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(MODEL)
                .setDatasetId(wrongType).build()).await().atMost(TIMEOUT), "'a'");
    }

    @Test
    void twentyMegabytesUploadInChunks() {
        StringBuilder csv = new StringBuilder("id,a,b,c,y\n");
        int rows = 0;
        while (csv.length() < 21 * 1024 * 1024) {
            csv.append("r").append(rows).append(',').append(rows % 97 * 0.013).append(',').append(100 + rows % 13)
                    .append(',').append(rows % 3 == 0 ? "red" : "blue").append(',').append(rows % 5 == 0 ? "" : "1.5").append('\n');
            rows++;
        }
        DatasetHeader header = DatasetHeader.newBuilder().setTargetColumn("y").addIgnoreColumns("id").build();
        DatasetInfo info = upload(client, header, csv.toString().getBytes(StandardCharsets.UTF_8), 256 * 1024);
        assertEquals(rows, info.getLabelledRows() + info.getUnlabelledRows());
        assertEquals(rows / 5 + (rows % 5 == 0 ? 0 : 1), info.getUnlabelledRows());
        assertTrue(info.getSizeBytes() > 20 * 1024 * 1024);
    }
}
