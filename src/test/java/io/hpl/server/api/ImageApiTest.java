package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static io.hpl.server.api.ApiTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.hpl.server.api.v1.DataFormat;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.FloatImage;
import io.hpl.server.api.v1.Image;
import io.hpl.server.api.v1.ImageOptions;
import io.hpl.server.api.v1.InlineImages;
import io.hpl.server.api.v1.ListDatasetsRequest;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.data.image.TestImages;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Image uploads over gRPC, and the request checks of Predict and Evaluate with images. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageApiTest {
    private static final String TABULAR = "image-api-tabular";

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @BeforeAll
    void trainOneTabularModel() throws InterruptedException {
        ApiTestSupport.trainSmallTabularModel(client, engines, TABULAR);
    }

    private static DatasetHeader header(int channels, int size) {
        return DatasetHeader.newBuilder().setName("images").setFormat(DataFormat.DATA_FORMAT_IMAGE_ARCHIVE)
                .setImage(ImageOptions.newBuilder().setChannels(channels).setHeight(size).setWidth(size)).build();
    }

    private static Image encoded(byte[] bytes) {
        return Image.newBuilder().setEncoded(ByteString.copyFrom(bytes)).build();
    }

    @Test
    void uploadReportsCountsAndTheImageShape() {
        byte[] archive = new TestImages.Members()
                .add("labels.csv", "file,target\na.png,1\nb.jpg,\nc.png,3\n")
                .add("a.png", TestImages.png(TestImages.grey(6, 6, 0)))
                .add("b.jpg", TestImages.jpeg(TestImages.rgb(6, 6, 0)))
                .add("c.png", TestImages.png(TestImages.rgb(6, 6, 9))).tarGz();
        DatasetInfo info = ApiTestSupport.upload(client, header(3, 6), archive, 100);
        assertEquals(2, info.getLabelledRows());
        assertEquals(1, info.getUnlabelledRows());
        assertEquals("target", info.getSchema().getTargetColumn());
        assertEquals(3, info.getSchema().getImage().getChannels());
        assertEquals(6, info.getSchema().getImage().getHeight());
        assertEquals(0, info.getSchema().getFeaturesCount());

        assertStatus(Status.Code.FAILED_PRECONDITION, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(TABULAR)
                .setDatasetId(info.getId()).build()).await().atMost(TIMEOUT), info.getId(), "3x6x6");
    }

    @Test
    void tableOnlyMethodsRefuseAnImageDatasetBeforeQueueing() {
        byte[] archive = new TestImages.Members()
                .add("labels.csv", "file,target\na.png,1\nb.png,\n")
                .add("a.png", TestImages.png(TestImages.grey(6, 6, 0)))
                .add("b.png", TestImages.png(TestImages.grey(6, 6, 5))).tarGz();
        DatasetInfo info = ApiTestSupport.upload(client, header(1, 6), archive, 100);
        for (Method method : List.of(Method.GBDT, Method.HPL_GBDT, Method.AUTO)) {
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> client.train(TrainRequest.newBuilder()
                    .setDatasetId(info.getId()).setMethod(method).setModelName("trees-on-images").build())
                    .collect().asList().await().atMost(TIMEOUT), method.name(), "tables", "HPL");
        }
    }

    @Test
    void badArchivesAreRefusedAndNothingIsListed() {
        int before = client.listDatasets(ListDatasetsRequest.newBuilder().setPageSize(500).build()).await().atMost(TIMEOUT).getDatasetsCount();
        byte[] mismatched = new TestImages.Members()
                .add("labels.csv", "file,target\nsmall.png,1\n")
                .add("small.png", TestImages.png(TestImages.grey(5, 6, 0))).zip();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> ApiTestSupport.upload(client, header(1, 6), mismatched, 50),
                "small.png", "5x6", "6x6");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> ApiTestSupport.upload(client, header(1, 6), "a,b\n1,2\n".getBytes(), 50),
                "not a zip or tar");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> ApiTestSupport.upload(client,
                header(1, 6).toBuilder().clearImage().build(), mismatched, 50), "header.image is required");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> ApiTestSupport.upload(client, header(2, 6), mismatched, 50), "channels");
        assertEquals(before, client.listDatasets(ListDatasetsRequest.newBuilder().setPageSize(500).build()).await().atMost(TIMEOUT).getDatasetsCount());
    }

    @Test
    void predictRequestsAreChecked() {
        Image png = encoded(TestImages.png(TestImages.grey(4, 4, 0)));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(TABULAR)
                .addImages(png).build()).await().atMost(TIMEOUT), TABULAR, "not images", "send rows");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(TABULAR)
                .addImages(png).addRows(row(Map.of("a", 1, "b", 100, "c", "red"))).build()).await().atMost(TIMEOUT),
                "either rows", "not both");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(TABULAR)
                .addImages(Image.getDefaultInstance()).build()).await().atMost(TIMEOUT), "image 0", "encoded", "tensor");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName(TABULAR)
                .build()).await().atMost(TIMEOUT), "rows is empty");
        PredictRequest.Builder tooMany = PredictRequest.newBuilder().setModelName(TABULAR);
        Image tensor = Image.newBuilder().setTensor(FloatImage.newBuilder().addValues(0.5f)).build();
        for (int i = 0; i < 1001; i++) {
            tooMany.addImages(tensor);
        }
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> client.predict(tooMany.build()).await().atMost(TIMEOUT),
                "1001 images", "max-rows");
    }

    @Test
    void evaluateWithImagesIsChecked() {
        Image png = encoded(TestImages.png(TestImages.grey(4, 4, 0)));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(TABULAR)
                .setInlineImages(InlineImages.newBuilder().addImages(png).addImages(png).addTargets(1)).build())
                .await().atMost(TIMEOUT), "2 images", "1 targets");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.evaluate(EvaluateRequest.newBuilder().setModelName(TABULAR)
                .setInlineImages(InlineImages.newBuilder().addImages(png).addTargets(1)).build())
                .await().atMost(TIMEOUT), "not images");
    }
}
