package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
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
import java.nio.file.Files;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Integration test (not in the unit suite: the *IT name keeps surefire's default includes off it):
 * the packaged server as a child process, killed with SIGKILL ({@link Process#destroyForcibly()})
 * while a job runs and another waits, then started again on the same store. The running job must
 * resume from its latest checkpoint (written every 100 iterations here), publish exactly one
 * version, and GetJob must show both attempts and the resume; the queued one runs once, publishes
 * one version, and its history says it was queued again. Needs {@code target/quarkus-app/quarkus-run.jar}
 * (./mvnw -B -q -o package -DskipTests) and skips, saying so, without it. Run:
 * {@code ./mvnw -B -o test -Dtest=KillNineRestartIT}. Prints how long it took (information only).
 */
@Tag("integration")
class KillNineRestartIT {
    private static final long DEADLINE_SECONDS = 300;
    private static final long ITERATIONS = 8000;
    private static final Pattern RESUMED = Pattern.compile("resumed from iteration (\\d+) of " + ITERATIONS
            + ", checkpoint written at \\S+");

    @Test
    void runningAndQueuedJobsAtKillNineRunAfterRestartAndEachPublishesOneVersion() throws Exception {
        PackagedServer.assumePackaged();
        long start = System.nanoTime();
        PackagedServer server = new PackagedServer(Files.createTempDirectory("hpl-kill9-"),
                "hpl.training.checkpoint-every-iterations=100");
        ManagedChannel channel = null;
        try {
            server.start("first");
            channel = server.channel();
            RegressionServiceClient client = new RegressionServiceClient("kill9", channel, (name, stub) -> stub);
            String datasetId = ApiTestSupport.upload(client, "y", GeneratedCsv.make(300, 0, 5), "id").getId();
            String model = "kill9";
            JobInfo job = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .startTraining(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                            .setModelName(model).putHyperparameters("iterations", Long.toString(ITERATIONS))
                            .putHyperparameters("hidden_layers", "16").putHyperparameters("progress_every", "100")
                            .setSeed(1).build());

            // Queued behind the first (one job trains at a time) when the server dies.
            JobInfo queued = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .startTraining(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                            .setModelName(model + "-queued").putHyperparameters("iterations", "300")
                            .putHyperparameters("hidden_layers", "16").setSeed(1).build());

            // Kill once the progress event at 200 came: the checkpoint at 100 was written before step 101 ran.
            Iterator<TrainEvent> events = RegressionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .watchJob(WatchJobRequest.newBuilder().setJobId(job.getId()).build());
            TrainEvent event;
            do {
                assertTrue(events.hasNext(), "the stream ended before the progress event at 200");
                event = events.next();
                assertTrue(!event.hasFinished() && !event.hasFailed() && !event.hasCancelled(),
                        "the job ended before it could be killed mid-training (make it longer): " + event);
            } while (!event.hasProgress() || event.getProgress().getIteration() < 200);
            long killedAtIteration = event.getProgress().getIteration();
            JobState queuedAtKill = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getJob(GetJobRequest.newBuilder().setJobId(queued.getId()).build()).getState();
            assertEquals(JobState.JOB_STATE_QUEUED, queuedAtKill);
            channel.shutdownNow();
            server.process.destroyForcibly();
            assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), "the killed server did not exit");
            System.out.printf("KillNineRestartIT: killed at iteration %d of %d%n", killedAtIteration, ITERATIONS);

            server.start("second");
            channel = server.channel();
            RegressionServiceGrpc.RegressionServiceBlockingStub stub = RegressionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
            TrainEvent last = PackagedServer.lastEvent(stub, job.getId());
            assertTrue(last != null && last.hasFinished(), "the resumed run did not finish: " + last);

            JobInfo after = stub.getJob(GetJobRequest.newBuilder().setJobId(job.getId()).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, after.getState(), after.toString());
            assertEquals(2, after.getAttempts(), "the killed attempt and the resumed one: " + after.getHistoryList());
            List<String> notes = after.getHistoryList().stream().map(JobHistoryEntry::getNote).toList();
            assertTrue(notes.stream().anyMatch(n -> n.contains("server stopped while attempt 1 ran")), notes.toString());
            assertTrue(notes.stream().anyMatch(n -> n.contains("it resumes from its checkpoint at iteration")), notes.toString());
            assertTrue(notes.stream().anyMatch(n -> n.contains("attempt 2 started")), notes.toString());
            long resumedFrom = notes.stream().map(RESUMED::matcher).filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1))).findFirst()
                    .orElseThrow(() -> new AssertionError("no 'resumed from iteration k' in " + notes));
            assertTrue(resumedFrom >= 100 && resumedFrom < ITERATIONS, "resumed from " + resumedFrom
                    + " (the progress event at " + killedAtIteration + " came after the checkpoint at 100)");
            assertEquals(List.of("QUEUED accepted", "RUNNING attempt 1 started"),
                    after.getHistoryList().subList(0, 2).stream().map(h -> h.getState().name().substring(10) + " " + h.getNote()).toList(),
                    "GetJob reports the whole history, the first attempt included");
            assertEquals(1, stub.listModels(ListModelsRequest.newBuilder().setName(model).build()).getModelsCount(),
                    "exactly one version published");
            assertEquals(after.getModelVersion(), last.getFinished().getModel().getVersion());
            assertEquals(job.getId(), last.getFinished().getModel().getJobId(), "the version names the job that published it");
            assertTrue(!Files.exists(server.store().resolve("jobs").resolve(job.getId() + ".ckpt")),
                    "the ended job's checkpoint is deleted");

            TrainEvent queuedLast = PackagedServer.lastEvent(stub, queued.getId());
            assertTrue(queuedLast != null && queuedLast.hasFinished(), "the queued job did not finish: " + queuedLast);
            JobInfo queuedAfter = stub.getJob(GetJobRequest.newBuilder().setJobId(queued.getId()).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, queuedAfter.getState(), queuedAfter.toString());
            assertEquals(1, queuedAfter.getAttempts(), "it never started before the kill: " + queuedAfter.getHistoryList());
            assertTrue(queuedAfter.getHistoryList().stream().anyMatch(h -> h.getNote().contains("queued again after a server restart")),
                    queuedAfter.getHistoryList().toString());
            assertEquals(1, stub.listModels(ListModelsRequest.newBuilder().setName(model + "-queued").build()).getModelsCount());
            System.out.printf("KillNineRestartIT: resumed from iteration %d; start, kill -9, restart, finish: %.1f s"
                    + " (information only)%n", resumedFrom, (System.nanoTime() - start) / 1e9);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            server.stop();
        }
    }
}
