package io.hpl.server.api;

import io.hpl.server.ResidentMemory;
import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.Metrics;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * HPL with its defaults, through Train over gRPC, on house_lucas (γ = 10%, the reference's seed-0
 * split): Predict's σ² must rank the held-out rows' errors (Spearman > 0 in Evaluate), and native
 * memory must stay flat over the 4,000 iterations (resident size sampled at progress events).
 */
@QuarkusTest
class HplOverGrpcTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Test
    void hplVarianceRanksHeldOutErrorsAndMemoryStaysFlat() throws Exception {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        String[] csv = houseLucasSplit();
        DatasetInfo train = upload(client, "log_price", csv[0]);
        DatasetInfo test = upload(client, "log_price", csv[1]);

        // The test JVM pre-touches its whole heap (-Xms = -Xmx, AlwaysPreTouch in the pom), so the
        // resident size moves only with native memory: PyTorch's arrays, ONNX Runtime, malloc.
        TreeMap<Long, Long> residentKb = new TreeMap<>();
        List<TrainEvent> events = client.train(TrainRequest.newBuilder().setDatasetId(train.getId())
                        .setMethod(Method.HPL).setModelName("hpl-house").setSeed(0)
                        .putHyperparameters("progress_every", "500").build())
                .onItem().invoke(e -> {
                    if (e.hasProgress()) {
                        residentKb.put(e.getProgress().getIteration(), ResidentMemory.kilobytes());
                    }
                })
                .collect().asList().await().atMost(Duration.ofMinutes(10));
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        ModelInfo model = last.getFinished().getModel();
        assertEquals("4000", model.getHyperparametersMap().get("iterations"));

        Metrics metrics = client.evaluate(EvaluateRequest.newBuilder().setModelName(model.getName())
                .setVersion(model.getVersion()).setDatasetId(test.getId()).build()).await().atMost(TIMEOUT).getMetrics();
        System.out.printf(Locale.ROOT, "HPL over gRPC on house_lucas 10%%: %s; resident KB by iteration %s%n",
                metrics.toString().replace('\n', ' '), residentKb);
        assertTrue(metrics.getSpearmanVarianceAbsError() > 0, "sigma^2 must rank errors: " + metrics);
        assertTrue(metrics.getR2() > 0.5, metrics.toString());

        long growthKb = residentKb.get(4000L) - residentKb.get(1000L);
        assertTrue(growthKb < 64 * 1024, "resident memory grew " + growthKb + " KB from iteration 1,000 to 4,000: "
                + residentKb);
    }

    /** Train CSV (labelled and unlabelled rows) and test CSV, with the target log(price). */
    static String[] houseLucasSplit() throws IOException {
        List<String> rows = lines("house_lucas.csv.gz");
        List<String> roles = lines("house_lucas_seed0.csv.gz");
        String header = rows.get(0).replace("\"price\"", "\"log_price\"");
        StringBuilder train = new StringBuilder(header).append('\n');
        StringBuilder test = new StringBuilder(header).append('\n');
        for (int i = 1; i < rows.size(); i++) {
            String row = rows.get(i);
            int comma = row.indexOf(',');
            String logPrice = String.format(Locale.ROOT, "%.6f", Math.log(Double.parseDouble(row.substring(0, comma))));
            char role = roles.get(i).split(",")[2].charAt(0); // columns: row, 5%, 10%, 20%
            String rest = row.substring(comma);
            switch (role) {
                case 'L' -> train.append(logPrice).append(rest).append('\n');
                case 'U' -> train.append(rest).append('\n');
                default -> test.append(logPrice).append(rest).append('\n');
            }
        }
        return new String[] {train.toString(), test.toString()};
    }

    private static List<String> lines(String resource) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                HplOverGrpcTest.class.getResourceAsStream("/benchmark/" + resource)), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
