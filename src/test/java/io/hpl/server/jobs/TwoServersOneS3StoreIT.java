package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hpl.server.api.ApiTestSupport;
import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.RegressionServiceClient;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.store.objects.MotoS3;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Integration test (an *IT, outside the unit suite): two packaged servers as child processes on one S3
 * store (moto's S3 server, {@link MotoS3}), each with its own local folder. One trains (in-process
 * executor) and promotes; the other, started before the model existed and never restarted, serves the
 * new version within its refresh interval, and the next one after it, having loaded each as its alias
 * moved. Needs {@code target/quarkus-app/quarkus-run.jar} (./mvnw -B -q -o package -DskipTests) and
 * skips, saying so, without it. Run: {@code ./mvnw -B -o test -Dtest=TwoServersOneS3StoreIT}.
 */
@Tag("integration")
class TwoServersOneS3StoreIT {
    private static final long DEADLINE_SECONDS = 300;
    private static final Duration SERVED_WITHIN = Duration.ofSeconds(60);

    @Test
    void oneServerTrainsAndTheOtherServesTheNewVersionWithoutARestart() throws Exception {
        PackagedServer.assumePackaged();
        MotoS3 s3 = MotoS3.get();
        String[] settings = {"hpl.store.backend=s3", "hpl.store.s3.bucket=" + MotoS3.BUCKET,
                "hpl.store.s3.prefix=two-servers-" + UUID.randomUUID() + "/", "hpl.store.s3.endpoint=" + s3.endpoint(),
                "hpl.store.s3.path-style=true", "hpl.store.s3.region=" + MotoS3.REGION, "hpl.store.refresh-interval=1s",
                // the SDK's default credentials chain reads these system properties (in a pod: env or web identity)
                "aws.accessKeyId=" + MotoS3.ACCESS_KEY, "aws.secretAccessKey=" + MotoS3.SECRET_KEY};
        PackagedServer trainer = new PackagedServer(Files.createTempDirectory("hpl-s3-trainer-"), settings);
        PackagedServer server = new PackagedServer(Files.createTempDirectory("hpl-s3-server-"), settings);
        ManagedChannel trainerChannel = null;
        ManagedChannel serverChannel = null;
        try {
            trainer.start("trainer");
            server.start("server");
            trainerChannel = trainer.channel();
            serverChannel = server.channel();
            RegressionServiceClient client = new RegressionServiceClient("s3-e2e", trainerChannel, (name, stub) -> stub);
            String datasetId = ApiTestSupport.upload(client, "y", GeneratedCsv.make(200, 0, 7), "id").getId();
            RegressionServiceGrpc.RegressionServiceBlockingStub serving = RegressionServiceGrpc.newBlockingStub(serverChannel);

            for (int expected = 1; expected <= 2; expected++) {
                JobInfo job = RegressionServiceGrpc.newBlockingStub(trainerChannel)
                        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                        .startTraining(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                                .setModelName("shared").putHyperparameters("iterations", "200")
                                .putHyperparameters("hidden_layers", "8").setSeed(expected).setPromote(true).build());
                TrainEvent last = PackagedServer.lastEvent(RegressionServiceGrpc.newBlockingStub(trainerChannel)
                        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), job.getId());
                assertTrue(last != null && last.hasFinished(), "training on the trainer did not finish: " + last);
                assertEquals(expected, last.getFinished().getModel().getVersion());

                PredictResponse answer = awaitServed(serving, expected);
                assertEquals(expected, answer.getVersion(), "the other server serves the promoted version");
                assertEquals(1, answer.getPredictionsCount());
            }
            // ListModels reads the version listing, re-read every refresh interval (Predict found version 2 by its alias)
            long deadline = System.nanoTime() + SERVED_WITHIN.toNanos();
            int listed;
            do {
                listed = serving.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listModels(ListModelsRequest.newBuilder().setName("shared").build()).getModelsCount();
            } while (listed != 2 && System.nanoTime() < deadline && sleep());
            assertEquals(2, listed, "the serving replica lists both versions");
            String serverLog = server.log();
            assertTrue(serverLog.contains("model shared version 2: an alias moved to it in another process; loaded"),
                    "the serving replica warm-loaded the promoted version:\n" + serverLog);
            assertTrue(!Files.exists(server.store().resolve("models")) && !Files.exists(trainer.store().resolve("models")),
                    "the models live in the bucket, not in either server's folder");
        } finally {
            if (trainerChannel != null) {
                trainerChannel.shutdownNow();
            }
            if (serverChannel != null) {
                serverChannel.shutdownNow();
            }
            trainer.stop();
            server.stop();
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200); // bounded poll on the condition
        return true;
    }

    /** Predicts on the default version until the server answers with {@code version} (bounded poll). */
    private static PredictResponse awaitServed(RegressionServiceGrpc.RegressionServiceBlockingStub serving, int version)
            throws InterruptedException {
        PredictRequest request = PredictRequest.newBuilder().setModelName("shared")
                .addRows(ApiTestSupport.row(Map.of("a", 0.3, "b", 101.0, "c", "red"))).build();
        long deadline = System.nanoTime() + SERVED_WITHIN.toNanos();
        String last = "nothing yet";
        while (System.nanoTime() < deadline) {
            try {
                PredictResponse response = serving.withDeadlineAfter(30, TimeUnit.SECONDS).predict(request);
                if (response.getVersion() == version) {
                    return response;
                }
                last = "version " + response.getVersion();
            } catch (StatusRuntimeException e) {
                last = e.getStatus().toString(); // NOT_FOUND until the first version is seen
            }
            Thread.sleep(200); // bounded poll on the condition
        }
        throw new AssertionError("the serving replica did not serve version " + version + " within " + SERVED_WITHIN
                + "; last answer: " + last);
    }
}
