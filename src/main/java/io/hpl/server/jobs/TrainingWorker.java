package io.hpl.server.jobs;

import io.hpl.server.config.ServerConfig;
import io.hpl.server.health.Engines;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.MethodRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import org.jboss.logging.Logger;

/**
 * Worker mode (hpl.mode=worker, a Kubernetes Job's pod): runs the one job hpl.worker.job-id from
 * the store and returns the process's exit code. It records everything in the store, as the
 * server would: the record at each change, each progress event and its end as an object of its own
 * (the server relays them to watchers), checkpoints, and the published model. A retried pod
 * resumes from the job's latest checkpoint.
 *
 * <p>Exit codes: 0 when the job ended, whether SUCCEEDED, CANCELLED or FAILED for good (a request
 * that can never train, such as a dataset deleted or a bad hyper-parameter, is recorded FAILED and
 * exits 0, so Kubernetes does not retry it pointlessly); 1 when the attempt failed otherwise (an
 * unexpected error, the store or the engines unavailable) or the pod is stopping (SIGTERM: a
 * checkpoint is written first), so that the Job's backoffLimit retries it from the checkpoint.
 */
@ApplicationScoped
public class TrainingWorker {
    private static final Logger LOG = Logger.getLogger(TrainingWorker.class);
    static final int DONE = 0;
    static final int RETRY = 1;
    /** How often a running worker reads its record to see a cancel (the server also deletes the pod). */
    static final Duration CANCEL_CHECK_EVERY = Duration.ofSeconds(1);

    private final JobStore store;
    private final TrainingAttempt attempt;
    private final Runnable awaitEngines;
    private final Duration shutdownWait;
    private final AtomicBoolean stopping = new AtomicBoolean();

    @Inject
    public TrainingWorker(DatasetStore datasets, ModelStore models, MethodRegistry methods, JobStore store,
                          ServerConfig config, Engines engines, TrainingMetrics metrics) {
        this(store, new TrainingAttempt(datasets, models, methods, store, TrainingJobs.checkpointPolicy(config),
                engines::trainingDevice, metrics, TrainingJobs.limits(config), TrainingAttempt::retriedInWorker), () -> {
                    try {
                        engines.awaitReady(Duration.ofMinutes(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, config.training().shutdownWait());
    }

    /** Without CDI (tests): {@code attempt} should retry as {@link TrainingAttempt#retriedInWorker} does. */
    TrainingWorker(JobStore store, TrainingAttempt attempt, Runnable awaitEngines, Duration shutdownWait) {
        this.store = store;
        this.attempt = attempt;
        this.awaitEngines = awaitEngines;
        this.shutdownWait = shutdownWait;
    }

    /** Runs the job, stopping it (with a checkpoint) if the JVM is asked to exit meanwhile; returns the exit code. */
    public int runUntilExit(String jobId) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopping.set(true);
            try {
                done.await(shutdownWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hpl-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(jobId);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already exiting: the hook is running
            }
        }
    }

    /** Runs the job once; returns the exit code ({@link #DONE} or {@link #RETRY}). */
    public int run(String jobId) {
        if (!JobStore.isValidId(jobId)) {
            LOG.errorf("worker: hpl.worker.job-id (HPL_WORKER_JOB_ID) '%s' is not a job id; nothing to run", jobId);
            return DONE;
        }
        Optional<JobRecord> found = store.find(jobId);
        if (found.isEmpty()) {
            // Retrying cannot make it appear: the store settings (HPL_STORE_*) point elsewhere, or it was pruned.
            LOG.errorf("worker: no record of training job %s in the store; nothing to run", jobId);
            return DONE;
        }
        JobRecord r = found.get();
        if (r.state().isFinal()) {
            LOG.infof("worker: training job %s already ended (%s); nothing to run", jobId, r.state());
            return DONE;
        }
        StoredJob job = new StoredJob(r);
        Optional<ModelRecord> published = attempt.publishedBy(r);
        if (published.isPresent()) { // a previous pod published, then died before recording it
            ModelRecord m = published.get();
            synchronized (job) {
                job.update(r.noted("a previous attempt published " + m.name() + " version " + m.version()
                        + " before it stopped; not trained again").succeeded(m.version()),
                        seq -> new JobEvent.Finished(seq, jobId, m.name(), m.version(), m));
            }
            return DONE;
        }
        awaitEngines.run();
        TrainingAttempt.Outcome outcome = attempt.run(job);
        LOG.infof("worker: training job %s: attempt ended %s", jobId, outcome);
        return switch (outcome) {
            case SUCCEEDED, FAILED, CANCELLED -> DONE;
            case SUSPENDED, RETRY -> RETRY;
        };
    }

    /** The job as the store holds it: every change is written there, and a cancel is read from there. */
    private final class StoredJob implements JobHandle {
        private final String id;
        private volatile JobRecord record;
        private volatile boolean cancelled;
        private long lastCheck = System.nanoTime();

        StoredJob(JobRecord record) {
            this.id = record.id();
            this.record = record;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Object lock() {
            return this;
        }

        @Override
        public JobRecord record() {
            return record;
        }

        /**
         * Writes the record, then the event (a reader that sees the event finds the record
         * agreeing). An end the server recorded (a cancel) is never overwritten: the change is
         * dropped and the training stops.
         */
        @Override
        public synchronized void update(JobRecord next, LongFunction<JobEvent> event) {
            if (endedByServer()) {
                return;
            }
            long sequence = record.nextSequence();
            record = next.sequenceAt(event == null ? sequence : sequence + 1);
            store.save(record);
            if (event != null) {
                JobEvent e = event.apply(sequence);
                if (JobEventCodec.stored(e)) {
                    store.saveEvent(id, sequence, JobEventCodec.encode(e));
                }
            }
            if (record.state().isFinal()) {
                store.deleteCheckpoint(id);
            }
        }

        private boolean endedByServer() {
            if (!cancelled && !record.state().isFinal()
                    && store.find(id).map(stored -> stored.state().isFinal()).orElse(false)) {
                cancelled = true;
                LOG.infof("worker: training job %s was ended by the server (cancelled); stopping", id);
            }
            return cancelled;
        }

        @Override
        public boolean stopRequested() {
            if (stopping.get() || cancelled) {
                return true;
            }
            long now = System.nanoTime();
            if (now - lastCheck >= CANCEL_CHECK_EVERY.toNanos()) {
                lastCheck = now;
                synchronized (this) {
                    return endedByServer();
                }
            }
            return false;
        }

        @Override
        public boolean suspendRequested() {
            return stopping.get();
        }
    }
}
