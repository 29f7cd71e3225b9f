package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import io.hpl.server.training.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Integration test, like {@link KillNineRestartIT}: the packaged server gets SIGTERM
 * ({@link Process#destroy()}) while a job trains and a WatchJob stream follows it. The watcher gets
 * UNAVAILABLE "server shutting down; job J will resume", the process exits within 10 s of the
 * signal, the job's record is back in the queue with the checkpoint written at shutdown (periodic
 * checkpoints are off here, so the shutdown wrote it), and the next start resumes from it and
 * publishes one version. Skips without the packaged jar. Run: {@code ./mvnw -B -o test -Dtest=SigtermShutdownIT}.
 */
@Tag("integration")
class SigtermShutdownIT {
    private static final long DEADLINE_SECONDS = 300;
    private static final long ITERATIONS = 8000;
    private static final long EXIT_WITHIN_SECONDS = 10;

    @Test
    void sigtermCheckpointsTheRunningJobTellsTheWatcherExitsAndTheNextStartResumes() throws Exception {
        PackagedServer.assumePackaged();
        PackagedServer server = new PackagedServer(Files.createTempDirectory("hpl-sigterm-"),
                "hpl.training.checkpoint-every-iterations=0", "hpl.training.checkpoint-every=0s");
        ManagedChannel channel = null;
        try {
            server.start("first");
            channel = server.channel();
            RegressionServiceClient client = new RegressionServiceClient("sigterm", channel, (name, stub) -> stub);
            String datasetId = ApiTestSupport.upload(client, "y", GeneratedCsv.make(300, 0, 5), "id").getId();
            JobInfo job = RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .startTraining(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                            .setModelName("sigterm").putHyperparameters("iterations", Long.toString(ITERATIONS))
                            .putHyperparameters("hidden_layers", "16").putHyperparameters("progress_every", "100")
                            .setSeed(1).build());
            Iterator<TrainEvent> events = RegressionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .watchJob(WatchJobRequest.newBuilder().setJobId(job.getId()).build());
            TrainEvent event;
            do {
                assertTrue(events.hasNext(), "the stream ended before the first progress event");
                event = events.next();
                assertTrue(!event.hasFinished() && !event.hasFailed() && !event.hasCancelled(),
                        "the job ended before the signal (make it longer): " + event);
            } while (!event.hasProgress());

            long signalled = System.nanoTime();
            server.process.destroy(); // SIGTERM
            StatusRuntimeException closed = assertThrows(StatusRuntimeException.class, () -> {
                while (events.hasNext()) {
                    TrainEvent e = events.next();
                    assertTrue(!e.hasFinished() && !e.hasFailed() && !e.hasCancelled(), "the job ended: " + e);
                }
            });
            assertEquals(Status.Code.UNAVAILABLE, closed.getStatus().getCode(), closed.toString());
            assertEquals("server shutting down; job " + job.getId() + " will resume", closed.getStatus().getDescription());
            boolean exited = server.process.waitFor(EXIT_WITHIN_SECONDS, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - signalled) / 1e9;
            System.out.printf("SigtermShutdownIT: exited %.2f s after SIGTERM (exit code %s)%n", seconds,
                    exited ? server.process.exitValue() : "none yet");
            assertTrue(exited, "the server did not exit within " + EXIT_WITHIN_SECONDS + " s of SIGTERM; its log:\n" + server.log());
            channel.shutdownNow();

            Path jobs = server.store().resolve("jobs");
            Checkpoint checkpoint = Checkpoint.decode(Files.readAllBytes(jobs.resolve(job.getId() + ".ckpt")));
            assertTrue(checkpoint.iteration() > 0 && checkpoint.iteration() < ITERATIONS, "checkpoint at " + checkpoint.iteration());
            JsonNode record = new ObjectMapper().readTree(jobs.resolve(job.getId() + ".json").toFile());
            assertEquals("QUEUED", record.get("state").asText());
            JsonNode lastNote = record.get("history").get(record.get("history").size() - 1).get("note");
            assertTrue(lastNote.asText().contains("checkpoint written at iteration " + checkpoint.iteration()), lastNote.asText());

            server.start("second");
            channel = server.channel();
            RegressionServiceGrpc.RegressionServiceBlockingStub stub = RegressionServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
            TrainEvent last = PackagedServer.lastEvent(stub, job.getId());
            assertTrue(last != null && last.hasFinished(), "the resumed run did not finish: " + last);
            JobInfo after = stub.getJob(GetJobRequest.newBuilder().setJobId(job.getId()).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, after.getState(), after.toString());
            List<String> notes = after.getHistoryList().stream().map(JobHistoryEntry::getNote).toList();
            assertTrue(notes.stream().anyMatch(n -> n.startsWith("resumed from iteration " + checkpoint.iteration()
                    + " of " + ITERATIONS + ", checkpoint written at " + checkpoint.writtenAt())), notes.toString());
            assertEquals(1, stub.listModels(ListModelsRequest.newBuilder().setName("sigterm").build()).getModelsCount(),
                    "exactly one version published");
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            server.stop();
        }
    }
}
