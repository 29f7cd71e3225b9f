package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.row;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hpl.server.api.v1.DataFormat;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DeleteDatasetRequest;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.GetJobRequest;
import io.hpl.server.api.v1.ListDatasetsRequest;
import io.hpl.server.api.v1.ListJobsRequest;
import io.hpl.server.api.v1.WatchJobRequest;
import io.hpl.server.api.v1.UploadDatasetRequest;
import com.google.protobuf.ByteString;
import io.smallrye.mutiny.Multi;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.GetDatasetRequest;
import io.hpl.server.api.v1.ImageOptions;
import io.hpl.server.api.v1.InlineRows;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.data.image.TestImages;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The limits of issue 11 over gRPC: each bad input gets its status (never INTERNAL or UNKNOWN), a
 * message that names the field and the setting at fault and fits in a header, and the server
 * serves the next request. Runs under the test heap (1 GiB, see pom.xml).
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputMatrixTest {
    private static final String MODEL = "bad-input-model";
    private static final String LONG_NUMBER = "9".repeat(32_000);

    @GrpcClient("regression")
    RegressionService client;

    @GrpcClient("regression")
    HealthGrpc.HealthBlockingStub health;

    @Inject
    Engines engines;

    @BeforeAll
    void trainOneModel() throws InterruptedException {
        ApiTestSupport.trainSmallTabularModel(client, engines, MODEL);
    }

    /** SERVING, and a valid Predict still answers. */
    @AfterEach
    void stillServing() {
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().build()).getStatus());
        assertEquals(1, client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "red"))).build()).await().atMost(TIMEOUT).getPredictionsCount());
    }

    /** The call fails with {@code code}; the message has every fragment and fits well inside a header. */
    private static void refused(Status.Code code, Supplier<?> call, String... fragments) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        String description = String.valueOf(e.getStatus().getDescription());
        // The whole matrix of messages in the test log, for a person to read them side by side.
        System.out.println("matrix " + e.getStatus().getCode() + ": " + (description.length() > 240 ? description.substring(0, 240) + "…" : description));
        assertEquals(code, e.getStatus().getCode(), description.length() > 300 ? description.substring(0, 300) : description);
        for (String fragment : fragments) {
            assertTrue(description.contains(fragment), "'" + description + "' should mention '" + fragment + "'");
        }
        assertTrue(description.getBytes(StandardCharsets.UTF_8).length <= GrpcErrors.MAX_DESCRIPTION_BYTES,
                description.length() + " characters");
    }

    @Test
    void uploadWithA32000CharacterNumericCell() {
        long start = System.nanoTime();
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,y\n1,2\n" + LONG_NUMBER + ",3\n"),
                "line 3", "'a'", "32000 characters", "hpl.tables.max-cell-chars");
        System.out.printf("upload with a 32,000-character numeric cell refused in %.1f ms (printed, not asserted)%n",
                (System.nanoTime() - start) / 1e6);
    }

    @Test
    void predictAndEvaluateWithA32000CharacterNumericCell() {
        long start = System.nanoTime();
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(row(Map.of("a", LONG_NUMBER, "b", 100, "c", "red"))).build()).await().atMost(TIMEOUT),
                "row 0", "'a'", "hpl.tables.max-cell-chars");
        System.out.printf("Predict with a 32,000-character numeric cell refused in %.1f ms (printed, not asserted)%n",
                (System.nanoTime() - start) / 1e6);
        refused(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(MODEL)
                .setInline(InlineRows.newBuilder().addRows(row(Map.of("a", 1, "b", 100, "c", "red", "y", LONG_NUMBER))))
                .build()).await().atMost(TIMEOUT), "row 0", "'y'", "hpl.tables.max-cell-chars");
    }

    @Test
    void twentyThousandCategoriesAreRefusedBeforeTheOneHotWidthExists() {
        StringBuilder csv = new StringBuilder("id,a,y\n");
        for (int i = 0; i < 20_000; i++) {
            csv.append("customer-").append(100_000 + i).append(',').append(i % 7).append(',').append(i % 3).append('\n');
        }
        refused(Status.Code.RESOURCE_EXHAUSTED, () -> upload(client, "y", csv.toString()),
                "'id'", "hpl.tables.max-categories-per-column", "ignore_columns");
    }

    @Test
    void aFortyNineMegapixelPngIsRefusedFromItsHeader() {
        byte[] archive = new TestImages.Members()
                .add("labels.csv", "file,target\nhuge.png,1\n")
                .add("huge.png", TestImages.png(new BufferedImage(7000, 7000, BufferedImage.TYPE_BYTE_GRAY))).zip();
        DatasetHeader header = DatasetHeader.newBuilder().setName("huge").setFormat(DataFormat.DATA_FORMAT_IMAGE_ARCHIVE)
                .setImage(ImageOptions.newBuilder().setChannels(1).setHeight(28).setWidth(28).setResize(true)).build();
        refused(Status.Code.RESOURCE_EXHAUSTED, () -> ApiTestSupport.upload(client, header, archive, 64 * 1024),
                "huge.png", "7000x7000", "hpl.images.max-source-pixels");
    }

    @Test
    void uploadsWithNoFeatureColumnsOrTargetsOutsideFloat32() {
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "id,y\na,1\nb,2\n", "id"),
                "no feature columns", "ignore_columns");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,y\n1,2\n2,1e308\n"), "line 3", "'y'", "float32");
    }

    @Test
    void listRpcsRefuseBadPagesNamingTheField() {
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listDatasets(ListDatasetsRequest.newBuilder().setPageSize(-1).build())
                .await().atMost(TIMEOUT), "page_size");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listDatasets(ListDatasetsRequest.newBuilder()
                .setPageToken("not a token!" + "x".repeat(5000)).build()).await().atMost(TIMEOUT), "page_token");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listModels(ListModelsRequest.newBuilder().setPageSize(-7).build())
                .await().atMost(TIMEOUT), "page_size");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listModels(ListModelsRequest.newBuilder().setPageToken("AAAA").build())
                .await().atMost(TIMEOUT), "page_token");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listJobs(ListJobsRequest.newBuilder().setPageSize(-1).build())
                .await().atMost(TIMEOUT), "page_size");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listJobs(ListJobsRequest.newBuilder()
                .setPageToken("%%%" + "y".repeat(5000)).build()).await().atMost(TIMEOUT), "page_token");
    }

    @Test
    void malformedUploadStreamsAndRequestShapes() {
        refused(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().<UploadDatasetRequest>empty())
                .await().atMost(TIMEOUT), "header");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().item(UploadDatasetRequest.newBuilder()
                .setChunk(ByteString.copyFromUtf8("a,y\n1,2\n")).build())).await().atMost(TIMEOUT), "header");
        UploadDatasetRequest header = UploadDatasetRequest.newBuilder()
                .setHeader(DatasetHeader.newBuilder().setName("twice").setTargetColumn("y")).build();
        refused(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().items(header, header))
                .await().atMost(TIMEOUT), "header");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().item(UploadDatasetRequest.newBuilder()
                .setHeader(DatasetHeader.newBuilder().setTargetColumn("y").setFormatValue(99)).build()))
                .await().atMost(TIMEOUT), "header.format");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().item(UploadDatasetRequest.newBuilder()
                .setHeader(DatasetHeader.newBuilder().setTargetColumn("y").setFormat(DataFormat.DATA_FORMAT_IMAGE_ARCHIVE)).build()))
                .await().atMost(TIMEOUT), "header.image");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "red"))).setIntervalLevel(1.5).build()).await().atMost(TIMEOUT),
                "interval_level");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(MODEL).build())
                .await().atMost(TIMEOUT), "dataset_id");
        refused(Status.Code.NOT_FOUND, () -> client.getDataset(GetDatasetRequest.newBuilder().setId("ds-000000000000000000000000")
                .build()).await().atMost(TIMEOUT), "dataset");
    }

    @Test
    void jobRpcsRefuseBadIdsNamingTheField() {
        refused(Status.Code.INVALID_ARGUMENT, () -> client.getJob(GetJobRequest.newBuilder().build()).await().atMost(TIMEOUT),
                "job_id");
        refused(Status.Code.NOT_FOUND, () -> client.getJob(GetJobRequest.newBuilder().setJobId("j".repeat(10_000)).build())
                .await().atMost(TIMEOUT), "job_id");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.cancelJob(CancelJobRequest.newBuilder().build())
                .await().atMost(TIMEOUT), "job_id");
        refused(Status.Code.NOT_FOUND, () -> client.cancelJob(CancelJobRequest.newBuilder().setJobId("job-none").build())
                .await().atMost(TIMEOUT), "job_id");
        refused(Status.Code.NOT_FOUND, () -> client.watchJob(WatchJobRequest.newBuilder().setJobId("job-none").build())
                .collect().asList().await().atMost(TIMEOUT), "job_id");
        String dataset = upload(client, "y", GeneratedCsv.make(40, 0, 5), "id").getId();
        refused(Status.Code.INVALID_ARGUMENT, () -> client.startTraining(TrainRequest.newBuilder().setDatasetId(dataset)
                .setMethod(Method.SUPERVISED).setModelName("rid").setRequestId("r".repeat(129)).build())
                .await().atMost(TIMEOUT), "request_id");
    }

    @Test
    void trainingJobsOverTheirLimitsAreRefusedBeforeQueueing() {
        String dataset = upload(client, "y", GeneratedCsv.make(40, 0, 5), "id").getId();
        refused(Status.Code.RESOURCE_EXHAUSTED, () -> client.train(TrainRequest.newBuilder().setDatasetId(dataset)
                .setMethod(Method.SUPERVISED).setModelName("too-big")
                .putHyperparameters("hidden_layers", "8192,8192,8192").build()).collect().asList().await().atMost(TIMEOUT),
                "hidden_layers", "hpl.training.max-parameters");
        refused(Status.Code.RESOURCE_EXHAUSTED, () -> client.train(TrainRequest.newBuilder().setDatasetId(dataset)
                .setMethod(Method.SUPERVISED).setModelName("too-long")
                .putHyperparameters("iterations", "1000000").putHyperparameters("batch_size", "65536").build())
                .collect().asList().await().atMost(TIMEOUT), "iterations", "hpl.training.max-iterations-times-batch");
    }

    /** Before the cap these echoed the input whole; over ~8 KiB the client got INTERNAL "Received RST_STREAM". */
    @Test
    void messagesThatEchoLongInputStayShort() {
        String longName = "column".repeat(20_000);
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "red", longName, 1))).build()).await().atMost(TIMEOUT),
                "row 0", "unknown column", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "é".repeat(900)))).build()).await().atMost(TIMEOUT),
                "row 0", "'c'", "unknown category");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.getDataset(GetDatasetRequest.newBuilder()
                .setId("X".repeat(100_000)).build()).await().atMost(TIMEOUT), "dataset id", "…");
        String dataset = upload(client, "y", GeneratedCsv.make(40, 0, 5), "id").getId();
        refused(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(dataset)
                .setMethod(Method.SUPERVISED).setModelName("m").putHyperparameters("h".repeat(50_000), "1").build())
                .collect().asList().await().atMost(TIMEOUT), "unknown hyperparameter", "…");
    }

    /** A 100,000-character name or id on every RPC that takes one: INVALID_ARGUMENT, the input quoted short. */
    @Test
    void longNamesAndIdsOnEveryRpcThatTakesOne() {
        String name = "n".repeat(100_000);
        refused(Status.Code.INVALID_ARGUMENT, () -> client.getModel(GetModelRequest.newBuilder().setName(name).build())
                .await().atMost(TIMEOUT), "model_name", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.listModels(ListModelsRequest.newBuilder().setName(name).build())
                .await().atMost(TIMEOUT), "model_name", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.deleteModel(DeleteModelRequest.newBuilder().setName(name).build())
                .await().atMost(TIMEOUT), "model_name", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.deleteDataset(DeleteDatasetRequest.newBuilder().setId(name).build())
                .await().atMost(TIMEOUT), "dataset id", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(name)
                .addRows(row(Map.of("a", 1))).build()).await().atMost(TIMEOUT), "model_name", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(MODEL)
                .setDatasetId(name).build()).await().atMost(TIMEOUT), "dataset id", "…");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(name)
                .setMethod(Method.SUPERVISED).setModelName("m").build()).collect().asList().await().atMost(TIMEOUT),
                "dataset id", "…");
    }

    /** The cell limit in a categorical column and in the header, and a long hyperparameter value. */
    @Test
    void longCategoriesHeaderNamesAndHyperparameterValues() {
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "r".repeat(1001)))).build()).await().atMost(TIMEOUT),
                "row 0", "'c'", "1001 characters", "hpl.tables.max-cell-chars");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,y," + "h".repeat(5000) + "\n1,2,3\n"),
                "line 1 (header)", "hpl.tables.max-cell-chars");
        String dataset = upload(client, "y", GeneratedCsv.make(40, 0, 5), "id").getId();
        refused(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder().setDatasetId(dataset)
                .setMethod(Method.SUPERVISED).setModelName("m").putHyperparameters("hidden_layers", "8,".repeat(30_000) + "x")
                .build()).collect().asList().await().atMost(TIMEOUT), "hidden_layers", "…");
    }

    /** Tables that cannot become a dataset: each names the line or column and what to change. */
    @Test
    void malformedTables() {
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,y\n1,2\n3,4,5\n"), "line 3");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "z", "a,y\n1,2\n"), "'z'");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,a,y\n1,2,3\n"), "'a'");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,y\n"), "row");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,b,y\n1,2,3\n", "nope"), "ignore_columns", "'nope'");
        refused(Status.Code.INVALID_ARGUMENT, () -> upload(client, "y", "a,y\n1,2\n2,abc\n"), "line 3", "'y'");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.uploadDataset(Multi.createFrom().item(UploadDatasetRequest.newBuilder()
                .setHeader(DatasetHeader.newBuilder().setName("no-target")).build())).await().atMost(TIMEOUT), "target_column");
    }

    /** Training requests that name something that is not there or a value that cannot be used. */
    @Test
    void trainingRequestsWithBadNamesAndValues() {
        String dataset = upload(client, "y", GeneratedCsv.make(40, 0, 5), "id").getId();
        Supplier<TrainRequest.Builder> train = () -> TrainRequest.newBuilder().setDatasetId(dataset)
                .setMethod(Method.SUPERVISED).setModelName("bad-train");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.startTraining(train.get().setMethodValue(99).build())
                .await().atMost(TIMEOUT), "method");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.startTraining(train.get().putHyperparameters("iterations", "abc")
                .build()).await().atMost(TIMEOUT), "iterations");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.startTraining(train.get().putHyperparameters("learning_rate", "-1")
                .build()).await().atMost(TIMEOUT), "learning_rate");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.startTraining(train.get().setModelName("").build())
                .await().atMost(TIMEOUT), "model_name");
        refused(Status.Code.NOT_FOUND, () -> client.startTraining(train.get().setDatasetId("ds-000000000000000000000000")
                .build()).await().atMost(TIMEOUT), "dataset");
        refused(Status.Code.FAILED_PRECONDITION, () -> client.startTraining(train.get().setMethod(Method.HPL).build())
                .await().atMost(TIMEOUT), "unlabelled");
    }

    /** Predict and Evaluate on models, versions and rows that do not fit. */
    @Test
    void predictionsOnMissingModelsAndUnfitRows() {
        Supplier<PredictRequest.Builder> predict = () -> PredictRequest.newBuilder().setModelName(MODEL);
        refused(Status.Code.NOT_FOUND, () -> client.predict(predict.get().setModelName("no-such-model")
                .addRows(row(Map.of("a", 1))).build()).await().atMost(TIMEOUT), "no-such-model");
        refused(Status.Code.NOT_FOUND, () -> client.predict(predict.get().setVersion(999)
                .addRows(row(Map.of("a", 1, "b", 100, "c", "red"))).build()).await().atMost(TIMEOUT), "999");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(predict.get().build()).await().atMost(TIMEOUT), "rows");
        PredictRequest.Builder tooMany = predict.get();
        for (int i = 0; i < 1001; i++) {
            tooMany.addRows(row(Map.of("a", 1, "b", 100, "c", "red")));
        }
        refused(Status.Code.RESOURCE_EXHAUSTED, () -> client.predict(tooMany.build()).await().atMost(TIMEOUT),
                "1001", "hpl.predict.max-rows");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.predict(predict.get()
                .addRows(row(Map.of("a", "abc", "b", 100, "c", "red"))).build()).await().atMost(TIMEOUT), "row 0", "'a'");
        refused(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(MODEL)
                .setInline(InlineRows.newBuilder().addRows(row(Map.of("a", 1, "b", 100, "c", "red")))).build())
                .await().atMost(TIMEOUT), "'y'");
        refused(Status.Code.NOT_FOUND, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName("no-such-model")
                .setInline(InlineRows.newBuilder().addRows(row(Map.of("a", 1, "y", 2)))).build())
                .await().atMost(TIMEOUT), "no-such-model");
    }

    /** Get and Delete of what is not there: NOT_FOUND naming it. */
    @Test
    void getAndDeleteOfWhatIsNotThere() {
        refused(Status.Code.NOT_FOUND, () -> client.getModel(GetModelRequest.newBuilder().setName("no-such-model").build())
                .await().atMost(TIMEOUT), "no-such-model");
        refused(Status.Code.NOT_FOUND, () -> client.getModel(GetModelRequest.newBuilder().setName(MODEL).setVersion(999).build())
                .await().atMost(TIMEOUT), "999");
        refused(Status.Code.NOT_FOUND, () -> client.deleteModel(DeleteModelRequest.newBuilder().setName("no-such-model").build())
                .await().atMost(TIMEOUT), "no-such-model");
        refused(Status.Code.NOT_FOUND, () -> client.deleteDataset(DeleteDatasetRequest.newBuilder()
                .setId("ds-000000000000000000000000").build()).await().atMost(TIMEOUT), "ds-000000000000000000000000");
    }
}
