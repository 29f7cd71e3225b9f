package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.hpl.server.api.ApiTestSupport;
import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.api.v1.GetJobRequest;
import io.hpl.server.api.v1.JobHistoryEntry;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.JobState;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.RegressionServiceClient;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.WatchJobRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Integration test (not in the unit suite: the *IT name keeps surefire's default includes off it):
 * the packaged server as a child process, killed with SIGKILL ({@link Process#destroyForcibly()})
 * while a job runs and another waits, then started again on the same store. The running job must
 * re-run, publish exactly one version, and GetJob must show both attempts; the queued one runs
 * once, publishes one version, and its history says it was queued again. Needs {@code target/quarkus-app/quarkus-run.jar}
 * (./mvnw -B -q -o package -DskipTests) and skips, saying so, without it. Run:
 * {@code ./mvnw -B -o test -Dtest=KillNineRestartIT}. Prints how long it took (information only).
 */
@Tag("integration")
class KillNineRestartIT {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration READY_WITHIN = Duration.ofMinutes(5);
    private static final long DEADLINE_SECONDS = 300;

    @Test
    void runningAndQueuedJobsAtKillNineRunAfterRestartAndEachPublishesOneVersion() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "skipped: no packaged server at " + JAR.toAbsolutePath()
                + " (build it with ./mvnw -B -q -o package -DskipTests)");
        long start = System.nanoTime();
        Path work = Files.createTempDirectory("hpl-kill9-");
        int port = freePort();
        int httpPort = freePort();
        Process server = startServer(work, port, httpPort, "first");
        ManagedChannel channel = null;
        try {
            awaitReady(server, httpPort, work.resolve("first.log"));
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            RegressionServiceClient client = new RegressionServiceClient("kill9", channel, (name, stub) -> stub);
            String datasetId = ApiTestSupport.upload(client, "y", GeneratedCsv.make(300, 0, 5), "id").getId();
            String model = "kill9";
            JobInfo job = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .startTraining(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                            .setModelName(model).putHyperparameters("iterations", "8000")
                            .putHyperparameters("hidden_layers", "16").putHyperparameters("progress_every", "100")
                            .setSeed(1).build());

            // Queued behind the first (one job trains at a time) when the server dies.
            JobInfo queued = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .startTraining(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                            .setModelName(model + "-queued").putHyperparameters("iterations", "300")
                            .putHyperparameters("hidden_layers", "16").setSeed(1).build());

            // Kill only once the job is running and has recorded progress: the first progress event says so.
            Iterator<TrainEvent> events = RegressionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .watchJob(WatchJobRequest.newBuilder().setJobId(job.getId()).build());
            TrainEvent event;
            do {
                assertTrue(events.hasNext(), "the stream ended before the first progress event");
                event = events.next();
                assertTrue(!event.hasFinished() && !event.hasFailed() && !event.hasCancelled(),
                        "the job ended before it could be killed mid-training (make it longer): " + event);
            } while (!event.hasProgress());
            long killedAtIteration = event.getProgress().getIteration();
            JobState queuedAtKill = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getJob(GetJobRequest.newBuilder().setJobId(queued.getId()).build()).getState();
            assertEquals(JobState.JOB_STATE_QUEUED, queuedAtKill);
            channel.shutdownNow();
            server.destroyForcibly();
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the killed server did not exit");
            System.out.printf("KillNineRestartIT: killed at iteration %d of 8000%n", killedAtIteration);

            server = startServer(work, port, httpPort, "second");
            awaitReady(server, httpPort, work.resolve("second.log"));
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            RegressionServiceGrpc.RegressionServiceBlockingStub stub = RegressionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
            TrainEvent last = null;
            for (Iterator<TrainEvent> it = stub.watchJob(WatchJobRequest.newBuilder().setJobId(job.getId()).build());
                 it.hasNext(); ) {
                last = it.next();
            }
            assertTrue(last != null && last.hasFinished(), "the re-run did not finish: " + last);

            JobInfo after = stub.getJob(GetJobRequest.newBuilder().setJobId(job.getId()).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, after.getState(), after.toString());
            assertEquals(2, after.getAttempts(), "the killed attempt and the re-run: " + after.getHistoryList());
            List<String> notes = after.getHistoryList().stream().map(JobHistoryEntry::getNote).toList();
            assertTrue(notes.stream().anyMatch(n -> n.contains("server stopped while attempt 1 ran")), notes.toString());
            assertTrue(notes.stream().anyMatch(n -> n.contains("attempt 2 started")), notes.toString());
            assertEquals(1, stub.listModels(ListModelsRequest.newBuilder().setName(model).build()).getModelsCount(),
                    "exactly one version published");
            assertEquals(after.getModelVersion(), last.getFinished().getModel().getVersion());

            TrainEvent queuedLast = null;
            for (Iterator<TrainEvent> it = stub.watchJob(WatchJobRequest.newBuilder().setJobId(queued.getId()).build());
                 it.hasNext(); ) {
                queuedLast = it.next();
            }
            assertTrue(queuedLast != null && queuedLast.hasFinished(), "the queued job did not finish: " + queuedLast);
            JobInfo queuedAfter = stub.getJob(GetJobRequest.newBuilder().setJobId(queued.getId()).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, queuedAfter.getState(), queuedAfter.toString());
            assertEquals(1, queuedAfter.getAttempts(), "it never started before the kill: " + queuedAfter.getHistoryList());
            assertTrue(queuedAfter.getHistoryList().stream().anyMatch(h -> h.getNote().contains("queued again after a server restart")),
                    queuedAfter.getHistoryList().toString());
            assertEquals(1, stub.listModels(ListModelsRequest.newBuilder().setName(model + "-queued").build()).getModelsCount());
            System.out.printf("KillNineRestartIT: start, kill -9, restart, re-run: %.1f s (information only)%n",
                    (System.nanoTime() - start) / 1e9);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The packaged server with gRPC on {@code port} and HTTP (health) on {@code httpPort}. */
    private static Process startServer(Path work, int port, int httpPort, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Dhpl.store.dir=" + work.resolve("store"), "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.grpc.server.host=127.0.0.1",
                "-Dquarkus.grpc.server.port=" + port, "-Dquarkus.http.port=" + httpPort, "-Dai.djl.offline=true", "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    /** Polls /q/health/ready (engines loaded, store readable) until 200, the process dies, or READY_WITHIN passes. */
    private static void awaitReady(Process server, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("the server exited (" + server.exitValue() + "); its log:\n" + Files.readString(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            server.waitFor(500, TimeUnit.MILLISECONDS); // a poll interval that also notices an exit at once
        }
        throw new AssertionError("the server was not ready within " + READY_WITHIN + "; its log:\n" + Files.readString(log));
    }
}
