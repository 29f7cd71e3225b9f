package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hpl.server.api.v1.DownloadModelRequest;
import io.hpl.server.api.v1.DownloadModelResponse;
import io.hpl.server.api.v1.DownloadedModel;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.data.CellValue;
import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.health.Engines;
import io.hpl.server.store.ModelStore;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DownloadModel streams a version's ONNX file that ONNX Runtime loads and that gives Predict's mean. */
@QuarkusTest
class DownloadModelTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Inject
    ModelStore models;

    @Test
    void theDownloadedFileLoadsInOnnxRuntimeAndGivesPredictsMean() throws Exception {
        ApiTestSupport.trainSmallTabularModel(client, engines, "download-me");
        List<DownloadModelResponse> parts = client.downloadModel(DownloadModelRequest.newBuilder().setName("download-me").build())
                .collect().asList().await().atMost(TIMEOUT);
        assertTrue(parts.get(0).hasHeader(), "the header comes first");
        DownloadedModel header = parts.get(0).getHeader();
        ByteArrayOutputStream onnx = new ByteArrayOutputStream();
        for (DownloadModelResponse part : parts.subList(1, parts.size())) {
            assertTrue(part.hasChunk(), "only chunks after the header");
            part.getChunk().writeTo(onnx);
        }
        byte[] bytes = onnx.toByteArray();
        assertEquals(header.getOnnxBytes(), bytes.length);
        assertEquals(header.getOnnxSha256(), ModelStore.sha256(bytes));
        assertEquals(header.getModel().getOnnxSha256(), header.getOnnxSha256());
        assertTrue(header.getMetadataJson().contains("\"download-me\""), header.getMetadataJson());

        Map<String, Object> row = Map.of("a", 0.4, "b", 97.0, "c", "green");
        double served = client.predict(PredictRequest.newBuilder().setModelName("download-me")
                .setVersion(header.getModel().getVersion()).addRows(ApiTestSupport.row(row)).build())
                .await().atMost(TIMEOUT).getPredictions(0).getMean();
        float[] x = new FeatureEncoder(models.get("download-me", header.getModel().getVersion()).schema())
                .encodeRow("row 0", c -> row.get(c) instanceof Number n ? new CellValue.Number(n.doubleValue())
                        : CellValue.text((String) row.get(c)));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, new float[][] {x});
                OrtSession.Result result = session.run(Map.of(OnnxModelWriter.INPUT, input))) {
            float mean = ((float[]) ((OnnxTensor) result.get(OnnxModelWriter.MEAN).orElseThrow()).getValue())[0];
            assertEquals(served, mean, 1e-6 * Math.abs(served));
        }
    }

    @Test
    void anUnknownModelIsNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.downloadModel(
                DownloadModelRequest.newBuilder().setName("never-trained").build()).collect().asList().await().atMost(TIMEOUT));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(String.valueOf(e.getStatus().getDescription()).contains("never-trained"), e.getStatus().toString());
    }
}
