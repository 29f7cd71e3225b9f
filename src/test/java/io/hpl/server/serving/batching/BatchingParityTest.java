package io.hpl.server.serving.batching;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.OpenInferenceGrpc.InferTensorContents;
import inference.OpenInferenceGrpc.ModelInferRequest;
import inference.OpenInferenceGrpc.ModelInferRequest.InferInputTensor;
import inference.OpenInferenceGrpc.ModelInferResponse;
import io.hpl.server.api.ApiTestSupport;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.data.CellValue;
import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.health.Engines;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.LoadedModels;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With batching on (the default), one-row calls made concurrently through Predict and OIP ModelInfer
 * are coalesced into shared ONNX Runtime runs, and every caller still gets exactly the mean and σ²
 * that its row gets scored alone by the session (the batching-off path: {@code OnnxModelSession.predict}).
 * Rounds repeat until the batcher's metrics show a run shared by several calls (a bounded poll), so
 * the comparison is known to have covered coalesced runs.
 */
@QuarkusTest
class BatchingParityTest {
    private static final String MODEL = "batching-parity";
    private static final int ROWS = 48;
    private static final int MAX_ROUNDS = 30;
    private static final String[] COLOURS = {"red", "green", "blue"};

    @GrpcClient("regression")
    RegressionService client;

    @GrpcClient("regression")
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip;

    @Inject
    Engines engines;

    @Inject
    ModelStore models;

    @Inject
    LoadedModels loaded;

    @Inject
    MeterRegistry registry;

    @Test
    void concurrentOneRowCallsGetTheValuesTheirRowGetsAlone() throws Exception {
        ApiTestSupport.trainSmallTabularModel(client, engines, MODEL);
        ModelRecord record = models.get(MODEL, 0);
        FeatureEncoder encoder = new FeatureEncoder(record.schema());
        Random random = new Random(7);
        List<Map<String, Object>> rows = new ArrayList<>();
        float[][] x = new float[ROWS][];
        for (int i = 0; i < ROWS; i++) {
            Map<String, Object> row = Map.of("a", random.nextGaussian(), "b", 100 + 10 * random.nextGaussian(),
                    "c", COLOURS[random.nextInt(3)]);
            rows.add(row);
            x[i] = encoder.encodeRow("row " + i, column -> row.get(column) instanceof Number n
                    ? new CellValue.Number(n.doubleValue()) : CellValue.text((String) row.get(column)));
        }
        Predictions alone = new Predictions(new double[ROWS], new double[ROWS]);
        try (LoadedModels.Lease lease = loaded.acquire(record)) {
            for (int i = 0; i < ROWS; i++) { // one run per row, straight on the session: no batcher involved
                Predictions p = lease.session().predict(new float[][] {x[i]});
                alone.mean()[i] = p.mean()[0];
                alone.variance()[i] = p.variance()[0];
            }
        }

        DistributionSummary calls = registry.find("hpl.serving.batch.calls").summary();
        long sharedBefore = calls.count(); // runs shared by two or more calls

        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < MAX_ROUNDS && calls.count() == sharedBefore; round++) {
                List<Future<double[]>> predicted = new ArrayList<>();
                List<Future<double[]>> inferred = new ArrayList<>();
                for (int i = 0; i < ROWS; i++) {
                    int row = i;
                    predicted.add(threads.submit(() -> predict(rows.get(row))));
                    inferred.add(threads.submit(() -> infer(x[row])));
                }
                for (int i = 0; i < ROWS; i++) {
                    double[] viaPredict = predicted.get(i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    double[] viaOip = inferred.get(i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    assertEquals(alone.mean()[i], viaPredict[0], 0, "Predict mean of row " + i);
                    assertEquals(alone.variance()[i], viaPredict[1], 0, "Predict variance of row " + i);
                    assertEquals((float) alone.mean()[i], viaOip[0], 0, "ModelInfer mean of row " + i);
                    assertEquals((float) alone.variance()[i], viaOip[1], 0, "ModelInfer variance of row " + i);
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertTrue(calls.count() > sharedBefore,
                "no run was shared by two calls in " + MAX_ROUNDS + " rounds: the comparison did not cover batching");
    }

    private double[] predict(Map<String, Object> row) {
        PredictResponse r = client.predict(PredictRequest.newBuilder().setModelName(MODEL)
                .addRows(ApiTestSupport.row(row)).build()).await().atMost(TIMEOUT);
        assertEquals(1, r.getPredictionsCount());
        return new double[] {r.getPredictions(0).getMean(), r.getPredictions(0).getVariance()};
    }

    private double[] infer(float[] x) {
        InferTensorContents.Builder values = InferTensorContents.newBuilder();
        for (float v : x) {
            values.addFp32Contents(v);
        }
        ModelInferResponse r = oip.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
                .addInputs(InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(1).addShape(x.length)
                        .setContents(values)).build());
        return new double[] {r.getOutputs(0).getContents().getFp32Contents(0), r.getOutputs(1).getContents().getFp32Contents(0)};
    }
}
