package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.store.DatasetHeaderSpec;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.DatasetUpload;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobState;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingCancelledException;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job lifecycle without the gRPC layer: real GBDT training, real stores in a temporary folder. */
class TrainingJobsTest {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final TrainingJobs.Settings SETTINGS = new TrainingJobs.Settings(4, Duration.ofDays(7), Duration.ofSeconds(8));

    @TempDir
    Path root;
    private String datasetId;

    @BeforeEach
    void uploadDataset() {
        DatasetStore datasets = new DatasetStore(root);
        try (DatasetUpload upload = datasets.begin(new DatasetHeaderSpec("t", "y", List.of("id"), List.of()))) {
            upload.append(GeneratedCsv.make(80, 0, 3).getBytes(StandardCharsets.UTF_8));
            DatasetRecord record = upload.finish();
            datasetId = record.id();
        }
    }

    /** GBDT with a hook run inside train(): the test decides when a job is "in training" and "after its last iteration". */
    private static final class HookedGbdt implements TrainingMethod {
        private final TrainingMethod gbdt = MethodRegistry.standard().get(MethodName.GBDT);
        private final Consumer<TrainingRun> before;
        private final Consumer<TrainingRun> after;

        HookedGbdt(Consumer<TrainingRun> before, Consumer<TrainingRun> after) {
            this.before = before;
            this.after = after;
        }

        public MethodName name() { return MethodName.GBDT; }
        public String description() { return "GBDT with test hooks"; }
        public List<HyperParameter<?>> hyperParameters() { return gbdt.hyperParameters(); }
        public boolean semiSupervised() { return false; }
        public boolean takesImages() { return false; }

        public TrainingOutcome train(TrainingRun run) {
            before.accept(run);
            TrainingOutcome outcome = gbdt.train(run);
            after.accept(run);
            return outcome;
        }
    }

    /** The job store of the latest instance: a second store over the same folder would clear its temporary files. */
    private JobStore store;

    /** A new instance over the same folder, as after a restart. */
    private TrainingJobs jobs(TrainingMethod method) {
        store = new JobStore(root);
        return new TrainingJobs(new DatasetStore(root), new ModelStore(root), new MethodRegistry(List.of(method)),
                store, SETTINGS, Device::cpu, new TrainingMetrics(new SimpleMeterRegistry()));
    }

    private static TrainingMethod plainGbdt() {
        return new HookedGbdt(run -> { }, run -> { });
    }

    private TrainJobSpec spec(String model) {
        return new TrainJobSpec(datasetId, MethodName.GBDT, model, Map.of(), 1);
    }

    private static Object awaitEnd(TrainingJobs jobs, String id, long from) throws InterruptedException {
        Events events = new Events();
        jobs.watch(id, from, events);
        return events.awaitEnd();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void startThenWatchEndsWithThePublishedVersionAndTheRecordTellsTheStory() throws InterruptedException {
        TrainingJobs jobs = jobs(plainGbdt());
        JobRecord started = jobs.start(spec("m"), "req-1");
        assertEquals(JobState.QUEUED, started.state());
        Events events = new Events();
        jobs.watch(started.id(), 0, events);
        JobEvent.Finished finished = assertInstanceOf(JobEvent.Finished.class, events.awaitEnd());
        assertEquals(1, finished.version());

        JobRecord done = jobs.get(started.id());
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(1, done.modelVersion());
        assertEquals(List.of(JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED),
                done.history().stream().map(h -> h.state()).toList());
        assertEquals(finished.sequence() + 1, done.nextSequence());
        assertEquals(started.id(), jobs.start(spec("m"), "req-1").id(), "the same request_id returns the same job");
        assertEquals(ErrorKind.ALREADY_EXISTS, assertThrows(HplException.class, () -> jobs.start(spec("other"), "req-1")).kind());

        // reattaching after the end replays from the asked sequence: only the final event here
        Events late = new Events();
        jobs.watch(started.id(), finished.sequence(), late);
        assertEquals(finished, late.awaitEnd());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(HplException.class,
                () -> jobs.get("job-00000000-0000-0000-0000-000000000000")).kind());
    }

    @Test
    void listFiltersByStateAndModelAndPages() throws InterruptedException {
        TrainingJobs jobs = jobs(plainGbdt());
        List<String> ids = new java.util.ArrayList<>();
        for (String model : List.of("a", "b", "a")) {
            ids.add(jobs.start(spec(model), null).id());
        }
        for (String id : ids) {
            awaitEnd(jobs, id, 0);
        }
        assertEquals(2, jobs.list(null, "a", 0, "").jobs().size());
        assertEquals(3, jobs.list(JobState.SUCCEEDED, "", 0, "").jobs().size());
        assertEquals(0, jobs.list(JobState.RUNNING, "", 0, "").jobs().size());
        JobPage first = jobs.list(null, "", 2, "");
        JobPage second = jobs.list(null, "", 2, first.nextPageToken());
        assertEquals(ids, java.util.stream.Stream.concat(first.jobs().stream(), second.jobs().stream()).map(JobRecord::id).toList());
        assertEquals("", second.nextPageToken());
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(HplException.class, () -> jobs.list(null, "", 2, "bogus!")).kind());
    }

    /** The "cancel after the last iteration still publishes": the cancel lands after training, before publish. */
    @Test
    void aCancelAfterTheLastIterationPublishesNothing() throws InterruptedException {
        CountDownLatch trained = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        boolean[] first = {true};
        TrainingJobs jobs = jobs(new HookedGbdt(run -> { }, run -> {
            if (first[0]) {
                first[0] = false;
                trained.countDown();
                await(cancelled);
            }
        }));
        ModelStore models = new ModelStore(root);
        String id = jobs.start(spec("m"), null).id();
        await(trained);
        Events events = new Events();
        jobs.watch(id, 0, events);
        assertEquals(JobState.CANCELLED, jobs.cancel(id).state());
        cancelled.countDown();
        assertInstanceOf(JobEvent.Cancelled.class, events.awaitEnd());
        // the next job runs only once the cancelled one has returned (one training thread)
        String next = jobs.start(spec("m"), null).id();
        assertInstanceOf(JobEvent.Finished.class, awaitEnd(jobs, next, 0));
        assertEquals(List.of(1), models.list("m").stream().map(ModelRecord::version).toList(),
                "only the second job published; the cancelled one left no version behind");
        assertEquals(JobState.CANCELLED, jobs.get(id).state());
        assertEquals(JobState.CANCELLED, jobs.cancel(id).state(), "cancelling again changes nothing");
        HplException late = assertThrows(HplException.class, () -> jobs.cancel(next));
        assertEquals(ErrorKind.FAILED_PRECONDITION, late.kind());
        assertTrue(late.getMessage().contains("version 1"), late.getMessage());
    }

    /** A watcher leaving never stops the job; a new one catches up from where the first left. */
    @Test
    void droppingTheWatchDoesNotStopTheJobAndAReattachCatchesUp() throws InterruptedException {
        CountDownLatch inTraining = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        TrainingJobs jobs = jobs(new HookedGbdt(run -> {
            inTraining.countDown();
            await(goOn);
        }, run -> { }));
        String id = jobs.start(spec("m"), null).id();
        Events first = new Events();
        Runnable detach = jobs.watch(id, 0, first);
        await(inTraining);
        detach.run();
        goOn.countDown();
        JobEvent accepted = (JobEvent) first.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(JobEvent.Accepted.class, accepted);
        Events second = new Events();
        jobs.watch(id, accepted.sequence() + 1, second);
        assertInstanceOf(JobEvent.Finished.class, second.awaitEnd());
        assertTrue(second.received.isEmpty());
        assertEquals(1, new ModelStore(root).list("m").size(), "one version published");
    }

    /**
     * A process that dies with one job running and one queued: a new instance over the same store
     * queues both again; the running one (a tree method: no checkpoints) re-runs from the start, its
     * history says why; each publishes exactly one version.
     */
    @Test
    void jobsOfAKilledProcessRunAfterARestartAndTheRecordKeepsTheHistory() throws InterruptedException {
        CountDownLatch inTraining = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1); // the "killed" instance's thread never comes back
        TrainingJobs killed = jobs(new HookedGbdt(run -> {
            inTraining.countDown();
            await(never);
        }, run -> { }));
        String running = killed.start(spec("m"), null).id();
        String queued = killed.start(spec("m"), null).id();
        await(inTraining);
        assertEquals(JobState.RUNNING, store.find(running).orElseThrow().state());

        TrainingJobs restarted = jobs(plainGbdt());
        restarted.recover();
        assertInstanceOf(JobEvent.Finished.class, awaitEnd(restarted, running, 0));
        assertInstanceOf(JobEvent.Finished.class, awaitEnd(restarted, queued, 0));
        JobRecord r = restarted.get(running);
        assertEquals(2, r.attempts());
        assertEquals(List.of(JobState.QUEUED, JobState.RUNNING, JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED),
                r.history().stream().map(h -> h.state()).toList());
        assertTrue(r.history().get(2).note().contains("re-runs from the start (GBDT writes no checkpoints: tree methods"
                + " and AUTO start over)"), r.history().get(2).note());
        assertEquals(1, restarted.get(queued).attempts());
        assertEquals(List.of(1, 2), new ModelStore(root).list("m").stream().map(ModelRecord::version).toList(),
                "exactly one version per job");
        assertEquals(2, restarted.list(JobState.SUCCEEDED, "m", 0, "").jobs().size());
    }

    @Test
    void shutdownStopsTheRunningJobTellsWatchersAndTheJobRunsAtTheNextStart() throws InterruptedException {
        CountDownLatch inTraining = new CountDownLatch(1);
        TrainingJobs first = jobs(new HookedGbdt(run -> {
            inTraining.countDown();
            // stands in for a training loop that checks the stop flag once per iteration
            while (!run.cancelled().getAsBoolean()) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            throw new TrainingCancelledException(0);
        }, run -> { }));
        String id = first.start(spec("m"), null).id();
        await(inTraining);
        Events watcher = new Events();
        first.watch(id, 0, watcher);
        first.shutdown();
        assertEquals("UNAVAILABLE: server shutting down; job " + id + " will resume", watcher.awaitEnd());
        assertEquals(ErrorKind.UNAVAILABLE, assertThrows(HplException.class, () -> first.start(spec("m"), null)).kind());
        JobRecord stored = store.find(id).orElseThrow();
        assertEquals(JobState.QUEUED, stored.state());
        assertTrue(stored.history().get(stored.history().size() - 1).note().contains("shutdown"));
        assertTrue(new ModelStore(root).list("").isEmpty());

        TrainingJobs next = jobs(plainGbdt());
        next.recover();
        assertInstanceOf(JobEvent.Finished.class, awaitEnd(next, id, stored.nextSequence()));
        assertEquals(JobState.SUCCEEDED, next.get(id).state());
    }

    @Test
    void endedJobsArePrunedAfterTheRetention() throws InterruptedException {
        TrainingJobs jobs = jobs(plainGbdt());
        String id = jobs.start(spec("m"), null).id();
        awaitEnd(jobs, id, 0);
        assertEquals(List.of(), store.prune(Duration.ofDays(1), java.time.Instant.now()));
        assertEquals(List.of(id), store.prune(Duration.ofDays(1), java.time.Instant.now().plus(Duration.ofDays(2))));
        assertTrue(store.find(id).isEmpty());
    }
}
