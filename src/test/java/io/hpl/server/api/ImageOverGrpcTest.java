package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.hpl.server.api.v1.DataFormat;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.FloatImage;
import io.hpl.server.api.v1.Image;
import io.hpl.server.api.v1.ImageOptions;
import io.hpl.server.api.v1.InlineImages;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.Metrics;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.data.image.TestImages;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The image path end to end over gRPC: a zip of PNGs with a labels.csv is uploaded, HPL trains a
 * small CNN on it, the model is exported to ONNX, and Predict on PNG bytes (and on the same
 * pixels as a float tensor) returns mean and σ² from ONNX Runtime. Target: the side of a grey
 * square on a noisy background (2..7 px on 12×12), which translation and photometric views keep.
 */
@QuarkusTest
class ImageOverGrpcTest {
    private static final int SIZE = 12;

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    private record Square(BufferedImage image, int side) {
    }

    private static Square square(Random random) {
        int side = 2 + random.nextInt(6);
        int top = random.nextInt(SIZE - side + 1);
        int left = random.nextInt(SIZE - side + 1);
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean inside = y >= top && y < top + side && x >= left && x < left + side;
                image.getRaster().setSample(x, y, 0, inside ? 204 : random.nextInt(26));
            }
        }
        return new Square(image, side);
    }

    @Test
    void uploadTrainExportAndPredictOnPngBytes() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        Random random = new Random(11);
        TestImages.Members members = new TestImages.Members();
        StringBuilder labels = new StringBuilder("file,side\n");
        for (int i = 0; i < 600; i++) {
            Square s = square(random);
            String name = "img/" + i + ".png";
            members.add(name, TestImages.png(s.image()));
            labels.append(name).append(',').append(i < 250 ? Integer.toString(s.side()) : "").append('\n');
        }
        members.add("labels.csv", labels.toString());
        DatasetHeader header = DatasetHeader.newBuilder().setName("squares").setFormat(DataFormat.DATA_FORMAT_IMAGE_ARCHIVE)
                .setTargetColumn("side")
                .setImage(ImageOptions.newBuilder().setChannels(1).setHeight(SIZE).setWidth(SIZE)).build();
        DatasetInfo dataset = ApiTestSupport.upload(client, header, members.zip(), 64 * 1024);
        assertEquals(250, dataset.getLabelledRows());
        assertEquals(350, dataset.getUnlabelledRows());

        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.train(TrainRequest.newBuilder()
                .setDatasetId(dataset.getId()).setModelName("squares").putHyperparameters("hidden_layers", "64").build())
                .collect().asList().await().atMost(TIMEOUT), "hidden_layers", "tabular datasets only");

        List<TrainEvent> events = client.train(TrainRequest.newBuilder().setDatasetId(dataset.getId())
                        .setMethod(Method.HPL).setModelName("squares")
                        .putHyperparameters("iterations", "300").putHyperparameters("batch_size", "32")
                        .putHyperparameters("learning_rate", "3e-3").putHyperparameters("head_learning_rate", "3e-3")
                        .build())
                .collect().asList().await().atMost(TIMEOUT);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        ModelInfo model = last.getFinished().getModel();
        assertEquals(SIZE, model.getSchema().getImage().getWidth());
        assertTrue(model.getVarianceDefinition().contains("views"), model.getVarianceDefinition());

        // New images the model has not seen, as PNG bytes and as the same pixels in a float tensor.
        PredictRequest.Builder png = PredictRequest.newBuilder().setModelName("squares");
        PredictRequest.Builder tensor = PredictRequest.newBuilder().setModelName("squares");
        InlineImages.Builder labelled = InlineImages.newBuilder();
        List<Integer> sides = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Square s = square(random);
            Image encoded = Image.newBuilder().setEncoded(ByteString.copyFrom(TestImages.png(s.image()))).build();
            png.addImages(encoded);
            labelled.addImages(encoded).addTargets(s.side());
            FloatImage.Builder values = FloatImage.newBuilder();
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    values.addValues(s.image().getRaster().getSample(x, y, 0) / 255f);
                }
            }
            tensor.addImages(Image.newBuilder().setTensor(values));
            sides.add(s.side());
        }
        PredictResponse fromPng = client.predict(png.build()).await().atMost(TIMEOUT);
        PredictResponse fromTensor = client.predict(tensor.build()).await().atMost(TIMEOUT);
        assertEquals(40, fromPng.getPredictionsCount());
        double absoluteError = 0;
        for (int i = 0; i < 40; i++) {
            var p = fromPng.getPredictions(i);
            assertTrue(Double.isFinite(p.getMean()) && p.getVariance() > 0 && Double.isFinite(p.getVariance()), p.toString());
            assertEquals(p.getMean(), fromTensor.getPredictions(i).getMean(), 1e-9, "decoded PNG = the same float pixels");
            assertEquals(p.getVariance(), fromTensor.getPredictions(i).getVariance(), 1e-9);
            absoluteError += Math.abs(p.getMean() - sides.get(i));
        }
        // Sides are uniform on 2..7: predicting the mean gives MAE 1.5.
        assertTrue(absoluteError / 40 < 0.8, "MAE " + absoluteError / 40);

        Metrics metrics = client.evaluate(EvaluateRequest.newBuilder().setModelName("squares")
                .setInlineImages(labelled).build()).await().atMost(TIMEOUT).getMetrics();
        assertEquals(40, metrics.getRows());
        assertEquals(absoluteError / 40, metrics.getMae(), 1e-6);

        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName("squares")
                .addImages(Image.newBuilder().setTensor(FloatImage.newBuilder().addValues(0.5f))).build())
                .await().atMost(TIMEOUT), "image 0", "144");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(PredictRequest.newBuilder().setModelName("squares")
                .addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(TestImages.png(TestImages.grey(8, 8, 0)))))
                .build()).await().atMost(TIMEOUT), "image 0", "8x8", "12x12");
    }
}
