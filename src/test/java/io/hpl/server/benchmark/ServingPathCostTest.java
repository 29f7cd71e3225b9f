package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.hpl.server.api.ProtoMapper;
import io.hpl.server.api.v1.EncodedMatrix;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.model.GaussianIntervals;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.EncodedRows;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Where the server's time goes on the x form, step by step, in one thread, against ONNX Runtime alone
 * on the same model (the same session options): parsing the request's bytes, copying x out of the
 * message, scoring (staging, ORT, copying the outputs out), building and serialising the packed answer.
 * Skipped unless -Dhpl.benchmark is set; the model is any stored table model's ONNX file, e.g. the one
 * clients/bench/throughput.js trains:
 * <pre>./mvnw -B -o test -Dtest=ServingPathCostTest -Dhpl.benchmark=serving -Dhpl.benchmark.onnx=STORE/models/NAME/1/model.onnx</pre>
 */
@Tag("benchmark")
class ServingPathCostTest {
    /**
     * ONNX Runtime alone: rows per second of {@code OrtSession.run} on one session shared by 1 and 2 calling
     * threads (the server's options: one intra-op thread per run), by rows per run, 3 s a cell.
     */
    @Test
    void ortAloneRowsPerSecond() throws Exception {
        assumeTrue(System.getProperty("hpl.benchmark") != null, "a benchmark: set -Dhpl.benchmark to run it");
        byte[] onnx = Files.readAllBytes(Path.of(System.getProperty("hpl.benchmark.onnx")));
        OrtSessionFactory factory = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
        System.out.println("| rows/run | callers | rows/s | µs/row per caller |");
        System.out.println("|---|---|---|---|");
        try (OnnxModelSession probe = factory.open(onnx); OrtSession session = factory.createSession(onnx)) {
            int width = probe.inputWidth();
            for (int callers : new int[] {1, 2}) {
                for (int rows : new int[] {1, 64, 256, 1024, 4096, 10_000}) {
                    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
                    long deadline = System.nanoTime() + 3_000_000_000L;
                    long start = System.nanoTime();
                    List<java.util.concurrent.Future<Long>> done = new java.util.ArrayList<>();
                    for (int c = 0; c < callers; c++) {
                        done.add(pool.submit(() -> {
                            FloatBuffer x = ByteBuffer.allocateDirect(rows * width * 4).order(ByteOrder.nativeOrder())
                                    .asFloatBuffer();
                            Random random = new Random(1);
                            for (int i = 0; i < rows * width; i++) {
                                x.put(i, (float) random.nextGaussian());
                            }
                            long scored = 0;
                            while (System.nanoTime() < deadline) {
                                try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), x,
                                        new long[] {rows, width}); OrtSession.Result res = session.run(Map.of("x", t))) {
                                    ((OnnxTensor) res.get(0)).getFloatBuffer();
                                }
                                scored += rows;
                            }
                            return scored;
                        }));
                    }
                    long scored = 0;
                    for (var f : done) {
                        scored += f.get();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    pool.shutdown();
                    System.out.printf(Locale.ROOT, "| %d | %d | %,.0f | %.3f |%n", rows, callers, scored / seconds,
                            seconds * 1e6 * callers / scored);
                }
            }
        }
    }

    @Test
    void xFormStepByStep() throws Exception {
        assumeTrue(System.getProperty("hpl.benchmark") != null, "a benchmark: set -Dhpl.benchmark to run it");
        byte[] onnx = Files.readAllBytes(Path.of(System.getProperty("hpl.benchmark.onnx")));
        OrtSessionFactory factory = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
        System.out.println("| rows/request | parse request µs/row | x out of the message | score (OnnxModelSession) | packed answer, serialised | total µs/row | ORT run alone µs/row | rows/s, one thread (total) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        try (OnnxModelSession session = factory.open(onnx);
                OrtSession alone = factory.createSession(onnx)) {
            int width = session.inputWidth();
            for (int rows : new int[] {256, 1024, 4096, 10_000}) {
                Random random = new Random(1);
                EncodedMatrix.Builder x = EncodedMatrix.newBuilder().setWidth(width);
                for (int i = 0; i < rows * width; i++) {
                    x.addValues((float) random.nextGaussian());
                }
                byte[] request = PredictRequest.newBuilder().setModelName("m").setX(x).build().toByteArray();
                FloatBuffer direct = ByteBuffer.allocateDirect(rows * width * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                direct.put(ProtoMapper.encodedRows(x.build()).values()).flip();
                long[] nanos = new long[5];
                int repeats = Math.max(20, 200_000 / rows);
                for (int pass = 0; pass < 2; pass++) { // the first pass warms up the JIT
                    java.util.Arrays.fill(nanos, 0);
                    for (int r = 0; r < repeats; r++) {
                        long t0 = System.nanoTime();
                        PredictRequest parsed = PredictRequest.parseFrom(request);
                        long t1 = System.nanoTime();
                        EncodedRows encoded = ProtoMapper.encodedRows(parsed.getX());
                        long t2 = System.nanoTime();
                        Predictions p = session.predict(encoded.values(), encoded.rows());
                        long t3 = System.nanoTime();
                        byte[] answer = PredictResponse.newBuilder().setModelName("m").setVersion(1)
                                .setPacked(ProtoMapper.packed(p, new GaussianIntervals(), 0.9)).build().toByteArray();
                        long t4 = System.nanoTime();
                        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), direct,
                                new long[] {rows, width}); OrtSession.Result res = alone.run(Map.of("x", t))) {
                            res.get(0);
                        }
                        long t5 = System.nanoTime();
                        nanos[0] += t1 - t0;
                        nanos[1] += t2 - t1;
                        nanos[2] += t3 - t2;
                        nanos[3] += t4 - t3 + (answer.length == 0 ? 1 : 0);
                        nanos[4] += t5 - t4;
                    }
                }
                double per = 1e3 * repeats * rows;
                double total = (nanos[0] + nanos[1] + nanos[2] + nanos[3]) / per;
                System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %,.0f |%n", rows, nanos[0] / per,
                        nanos[1] / per, nanos[2] / per, nanos[3] / per, total, nanos[4] / per, 1e6 / total);
            }
        }
    }
}
