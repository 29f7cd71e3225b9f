package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.store.DatasetHeaderSpec;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.DatasetUpload;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobState;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.MethodName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integration test (the *IT name keeps surefire's default includes off it): worker mode end to
 * end, the packaged jar run as a Kubernetes Job's pod runs it ({@code HPL_MODE=worker},
 * {@code HPL_WORKER_JOB_ID}) against a store folder holding a dataset and a QUEUED job record. It
 * must train, write its progress events, publish the model, record SUCCEEDED and exit 0; a request
 * that can never train is recorded FAILED and also exits 0 (no pointless retries). The packaged
 * app is prod: authentication on with no key, which a worker (it serves nothing) does not refuse.
 * Needs {@code target/quarkus-app/quarkus-run.jar} (./mvnw -B -q -o package -DskipTests) and skips
 * without it. Run: {@code ./mvnw -B -o test -Dtest=WorkerProcessIT}.
 */
@Tag("integration")
class WorkerProcessIT {
    private static final long DEADLINE_SECONDS = 300;

    @TempDir
    Path work;

    private Path store() {
        return work.resolve("store");
    }

    private String dataset() {
        try (DatasetUpload upload = new DatasetStore(store()).begin(new DatasetHeaderSpec("t", "y", List.of("id"), List.of()))) {
            upload.append(GeneratedCsv.make(200, 0, 4).getBytes(StandardCharsets.UTF_8));
            return upload.finish().id();
        }
    }

    /** A job as the server records it at StartTraining / Train: QUEUED, event 0 (accepted) sent. */
    private JobRecord queued(String datasetId, String model) {
        return queued(datasetId, model, 300);
    }

    private JobRecord queued(String datasetId, String model, int iterations) {
        JobRecord r = JobRecord.queued("job-" + UUID.randomUUID(), null, datasetId, MethodName.SUPERVISED,
                MethodName.SUPERVISED, model, Map.of("iterations", Integer.toString(iterations), "progress_every", "100",
                        "hidden_layers", "16"), 7).sequenceAt(1);
        new JobStore(store()).save(r);
        return r;
    }

    /** Starts the packaged jar in worker mode for {@code jobId}, as a Kubernetes Job's pod would; log in {@code <name>.log}. */
    private Process startWorker(String jobId, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Dhpl.store.dir=" + store(), "-Dai.djl.offline=true",
                "-Dhpl.training.checkpoint-every-iterations=100", "-jar", PackagedServer.JAR.toAbsolutePath().toString());
        pb.environment().put("HPL_MODE", "worker");
        pb.environment().put("HPL_WORKER_JOB_ID", jobId);
        return pb.redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    /** Runs the packaged jar in worker mode for {@code jobId} to its end; returns its exit code. */
    private int worker(String jobId, String name) throws Exception {
        return exitCode(startWorker(jobId, name), name);
    }

    private int exitCode(Process p, String name) throws Exception {
        Path log = work.resolve(name + ".log");
        try {
            assertTrue(p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "the worker did not exit within "
                    + DEADLINE_SECONDS + " s; its log:\n" + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        System.out.println("--- worker log (" + name + ") ---\n" + Files.readString(log));
        return p.exitValue();
    }

    @Test
    void aWorkerProcessTrainsTheQueuedJobPublishesAndRecordsSucceeded() throws Exception {
        PackagedServer.assumePackaged();
        JobRecord job = queued(dataset(), "worker-model");

        assertEquals(0, worker(job.id(), "worker"));

        JobStore jobs = new JobStore(store());
        JobRecord r = jobs.find(job.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, r.state(), r.history().toString());
        assertEquals(1, r.attempts());
        ModelRecord model = new ModelStore(store()).find("worker-model", r.modelVersion()).orElseThrow();
        assertEquals(job.id(), model.jobId());
        // The events the server relays to watchers: progress at 100, 200, 300, then the end, numbered from 1.
        List<String> types = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        for (byte[] e : jobs.events(job.id(), 0)) {
            JobEvent event = JobEventCodec.decode(e, (name, version) -> null);
            types.add(event.getClass().getSimpleName());
            sequences.add(event.sequence());
        }
        assertEquals(List.of("Progress", "Progress", "Progress", "Finished"), types);
        assertEquals(List.of(1L, 2L, 3L, 4L), sequences);
        assertEquals(5, r.nextSequence());
        assertTrue(jobs.checkpoint(job.id()).isEmpty(), "an ended job keeps no checkpoint");
        assertFalse(Files.exists(store().resolve("auth")), "a worker makes no admin key: it serves no calls");
    }

    @Test
    void aPodStoppedMidRunExitsNonZeroAfterACheckpointAndTheRetriedPodResumesFromIt() throws Exception {
        PackagedServer.assumePackaged();
        JobRecord job = queued(dataset(), "worker-model", 20_000);
        JobStore jobs = new JobStore(store());

        Process first = startWorker(job.id(), "attempt-1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (jobs.checkpoint(job.id()).isEmpty() && first.isAlive() && System.nanoTime() < deadline) {
            first.waitFor(100, TimeUnit.MILLISECONDS); // a poll interval that also notices an exit at once
        }
        assertTrue(jobs.checkpoint(job.id()).isPresent(), "attempt 1 wrote no checkpoint");
        first.destroy(); // SIGTERM: what Kubernetes sends a pod it stops
        int exit = exitCode(first, "attempt-1");
        assertTrue(exit != 0, "a stopped attempt exits non-zero so the Job retries it; got " + exit);
        JobRecord stopped = jobs.find(job.id()).orElseThrow();
        long k = io.hpl.server.training.checkpoint.Checkpoint.decode(jobs.checkpoint(job.id()).orElseThrow()).iteration();
        assertTrue(k > 0, "checkpoint at iteration " + k);
        assertEquals(JobState.QUEUED, stopped.state(), stopped.history().toString());

        assertEquals(0, worker(job.id(), "attempt-2"));

        JobRecord r = jobs.find(job.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, r.state(), r.history().toString());
        assertEquals(2, r.attempts());
        String resumed = "resumed from iteration " + k + " of 20000";
        assertTrue(r.history().stream().anyMatch(h -> h.note().startsWith(resumed)), "no '" + resumed + "' in "
                + r.history());
        System.out.println("attempt 1 stopped at its checkpoint at iteration " + k + "; attempt 2: " + resumed);
    }

    @Test
    void aRequestThatCanNeverTrainIsRecordedFailedAndTheWorkerExitsZero() throws Exception {
        PackagedServer.assumePackaged();
        JobRecord job = queued("no-such-dataset", "worker-model");

        assertEquals(0, worker(job.id(), "worker-bad"), "0: Kubernetes must not retry a job that fails the same way each time");

        JobRecord r = new JobStore(store()).find(job.id()).orElseThrow();
        assertEquals(JobState.FAILED, r.state());
        assertEquals("NOT_FOUND", r.failureCode());
    }
}
