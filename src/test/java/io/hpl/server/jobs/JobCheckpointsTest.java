package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.store.DatasetHeaderSpec;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.DatasetUpload;
import io.hpl.server.store.JobHistoryEntry;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobState;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import io.hpl.server.training.checkpoint.Checkpoint;
import io.hpl.server.training.checkpoint.CheckpointPolicy;
import io.hpl.server.training.method.SupervisedMethod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints through the job layer, in-process: a "killed" instance (its training thread parked
 * for good), a shutdown, a restart over the same store; real SUPERVISED training.
 */
class JobCheckpointsTest {
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** Every 10 iterations, no time rule: which checkpoint exists at a given moment is certain. */
    private static final TrainingJobs.Settings SETTINGS = new TrainingJobs.Settings(4, Duration.ofDays(7),
            Duration.ofSeconds(30), Duration.ZERO, new CheckpointPolicy(10, Duration.ZERO));
    private static final Map<String, String> HP = Map.of("iterations", "200", "progress_every", "10",
            "hidden_layers", "16", "batch_size", "16");

    @TempDir
    Path root;
    private String datasetId;
    private JobStore store;

    @BeforeEach
    void uploadDataset() {
        DatasetStore datasets = new DatasetStore(root);
        try (DatasetUpload upload = datasets.begin(new DatasetHeaderSpec("t", "y", List.of("id"), List.of()))) {
            upload.append(GeneratedCsv.make(80, 0, 3).getBytes(StandardCharsets.UTF_8));
            datasetId = upload.finish().id();
        }
    }

    /** A new instance over the same folder, as after a restart. */
    private TrainingJobs jobs(TrainingMethod method) {
        store = new JobStore(root);
        return new TrainingJobs(new DatasetStore(root), new ModelStore(root), new MethodRegistry(List.of(method)),
                store, SETTINGS, Device::cpu, new TrainingMetrics(new SimpleMeterRegistry()));
    }

    private TrainJobSpec spec(String model) {
        return new TrainJobSpec(datasetId, MethodName.SUPERVISED, model, HP, 5);
    }

    /** SUPERVISED whose progress reports go through {@code onProgress} first (the test's hook into the loop). */
    private static final class Hooked implements TrainingMethod {
        private final SupervisedMethod method = new SupervisedMethod();
        private final java.util.function.LongConsumer onProgress;

        Hooked(java.util.function.LongConsumer onProgress) {
            this.onProgress = onProgress;
        }

        public MethodName name() { return MethodName.SUPERVISED; }
        public String description() { return "SUPERVISED with a progress hook"; }
        public List<HyperParameter<?>> hyperParameters() { return method.hyperParameters(); }
        public boolean semiSupervised() { return false; }

        public TrainingOutcome train(TrainingRun run) {
            return method.train(new TrainingRun(run.table(), run.hyperParameters(), run.seed(), run.device(), p -> {
                run.progress().accept(p);
                onProgress.accept(p.iteration());
            }, run.cancelled(), run.checkpointing()));
        }
    }

    private static Object awaitEnd(TrainingJobs jobs, String id) throws InterruptedException {
        Events events = new Events();
        jobs.watch(id, 0, events);
        return events.awaitEnd();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> notes(JobRecord r) {
        return r.history().stream().map(JobHistoryEntry::note).toList();
    }

    @Test
    void aJobOfAKilledProcessResumesFromItsLatestCheckpointAndEndsAsAnUninterruptedRun() throws InterruptedException {
        CountDownLatch at55 = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1); // the "killed" instance's thread never comes back
        TrainingJobs killed = jobs(new Hooked(it -> {
            if (it == 50) {
                at55.countDown();
                await(never); // after the report at 50, before its checkpoint: the latest is at 40
            }
        }));
        String id = killed.start(spec("m"), null).id();
        await(at55);
        assertEquals(40, Checkpoint.decode(store.checkpoint(id).orElseThrow()).iteration());

        TrainingJobs restarted = jobs(new Hooked(it -> { }));
        restarted.recover();
        JobEvent.Finished finished = assertInstanceOf(JobEvent.Finished.class, awaitEnd(restarted, id));
        JobRecord r = restarted.get(id);
        List<String> notes = notes(r);
        assertTrue(notes.stream().anyMatch(n -> n.contains("it resumes from its checkpoint at iteration 40 of 200")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("resumed from iteration 40 of 200, checkpoint written at 20")),
                notes.toString());
        assertEquals(JobState.SUCCEEDED, r.state());
        assertTrue(store.checkpoint(id).isEmpty(), "an ended job's checkpoint is deleted");

        // the same job uninterrupted: the same model, to the last bit of its held-out metrics
        String reference = restarted.start(spec("ref"), null).id();
        JobEvent.Finished whole = assertInstanceOf(JobEvent.Finished.class, awaitEnd(restarted, reference));
        assertEquals(whole.model().calibrationMetrics(), finished.model().calibrationMetrics());
        assertEquals(List.of(1), new ModelStore(root).list("m").stream().map(ModelRecord::version).toList());
    }

    @Test
    void shutdownWritesACheckpointKeepsTheJobOpenAndTheNextStartResumesFromIt() throws InterruptedException {
        CountDownLatch at30 = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TrainingJobs first = jobs(new Hooked(it -> {
            if (it == 30) {
                at30.countDown();
                await(release); // holds the loop at iteration 30 until shutdown has set the flag
            }
        }));
        String id = first.start(spec("m"), null).id();
        await(at30);
        Events watcher = new Events();
        first.watch(id, 0, watcher);
        Thread stopping = new Thread(first::shutdown);
        stopping.start();
        assertEquals("UNAVAILABLE: server shutting down; job " + id + " will resume", watcher.awaitEnd());
        release.countDown();
        stopping.join(WAIT.toMillis());
        JobRecord stored = store.find(id).orElseThrow();
        assertEquals(JobState.QUEUED, stored.state());
        assertTrue(notes(stored).get(notes(stored).size() - 1).contains("checkpoint written at iteration 30"),
                notes(stored).toString());
        assertEquals(30, Checkpoint.decode(store.checkpoint(id).orElseThrow()).iteration());
        assertTrue(new ModelStore(root).list("").isEmpty());

        TrainingJobs next = jobs(new Hooked(it -> { }));
        next.recover();
        assertInstanceOf(JobEvent.Finished.class, awaitEnd(next, id));
        assertTrue(notes(next.get(id)).stream().anyMatch(n -> n.startsWith("resumed from iteration 30 of 200")));
        assertEquals(List.of(1), new ModelStore(root).list("m").stream().map(ModelRecord::version).toList());
    }

    /** The process ended after the version was published and before the record said SUCCEEDED. */
    @Test
    void aVersionPublishedJustBeforeACrashIsFoundAndNotTrainedAgain() throws InterruptedException {
        TrainingJobs before = jobs(new Hooked(it -> { }));
        String id = before.start(spec("m"), null).id();
        assertInstanceOf(JobEvent.Finished.class, awaitEnd(before, id));
        JobRecord done = store.find(id).orElseThrow();
        store.save(done.running()); // the record as it was when the version appeared

        TrainingJobs restarted = jobs(new Hooked(it -> {
            throw new AssertionError("trained again");
        }));
        restarted.recover();
        JobEvent.Finished finished = assertInstanceOf(JobEvent.Finished.class, awaitEnd(restarted, id));
        assertEquals(1, finished.version());
        JobRecord r = restarted.get(id);
        assertEquals(JobState.SUCCEEDED, r.state());
        assertEquals(1, r.modelVersion());
        assertTrue(notes(r).stream().anyMatch(n -> n.contains("after publishing m version 1")), notes(r).toString());
        assertEquals(List.of(1), new ModelStore(root).list("m").stream().map(ModelRecord::version).toList());
        assertEquals(id, new ModelStore(root).get("m", 1).jobId());
    }

    @Test
    void checkpointsOfEndedOrUnknownJobsArePrunedAndARunningJobsStays() throws InterruptedException {
        TrainingJobs jobs = jobs(new Hooked(it -> { }));
        String ended = jobs.start(spec("m"), null).id();
        awaitEnd(jobs, ended);
        JobRecord running = JobRecord.queued("job-00000000-0000-0000-0000-000000000001", null, datasetId,
                MethodName.SUPERVISED, MethodName.SUPERVISED, "m", HP, 5).running();
        store.save(running);
        String unknown = "job-00000000-0000-0000-0000-000000000002";
        for (String id : List.of(ended, running.id(), unknown)) {
            store.saveCheckpoint(id, new byte[] {1});
        }
        store.prune(Duration.ofDays(7), Instant.now());
        assertTrue(store.checkpoint(ended).isEmpty());
        assertTrue(store.checkpoint(unknown).isEmpty());
        assertTrue(store.checkpoint(running.id()).isPresent());
        assertEquals(List.of(ended), store.prune(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2))));
    }
}
