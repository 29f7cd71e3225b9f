package io.hpl.server.jobs;

import ai.djl.Device;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.health.Engines;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.metrics.TrainingMetrics.JobState;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.IterativeMethod;
import io.hpl.server.training.checkpoint.Checkpoint;
import io.hpl.server.training.checkpoint.CheckpointPolicy;
import io.hpl.server.training.checkpoint.IncompatibleCheckpointException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Training jobs as resources: started, looked up, listed, cancelled and watched by id, recorded in
 * the {@link JobStore} at every change so they outlive the process and any client's stream.
 * Where jobs run is the {@link TrainingExecutor}'s business (hpl.training.executor): one at a time
 * on this process's training thread ({@link InProcessExecutor}, the default), or a Kubernetes Job
 * each ({@link KubernetesJobExecutor}) whose records and events this server relays to watchers.
 * Requests are validated before they are queued, so a bad request fails at once instead of after
 * the queue.
 */
@ApplicationScoped
public class TrainingJobs {
    private static final Logger LOG = Logger.getLogger(TrainingJobs.class);
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;
    static final int MAX_REQUEST_ID_LENGTH = 128;
    /**
     * Ended jobs whose every event stays replayable (a client reattaching just after the end);
     * older ones keep their final event only, so memory does not grow with progress_every=1 runs.
     */
    static final int ENDED_JOBS_WITH_FULL_EVENTS = 64;

    /**
     * The limits, from {@code hpl.training.*}. {@code heartbeatEvery}: a watcher of an unfinished
     * job that got no event for this long gets a heartbeat; zero turns heartbeats off.
     */
    public record Settings(int maxQueued, Duration retention, Duration shutdownWait, Duration heartbeatEvery,
                           CheckpointPolicy checkpoints) {
        public static final Duration DEFAULT_HEARTBEAT_EVERY = Duration.ofSeconds(10);
        /** hpl.training.checkpoint-every-iterations and checkpoint-every's defaults. */
        public static final CheckpointPolicy DEFAULT_CHECKPOINTS = new CheckpointPolicy(0, Duration.ofSeconds(30));

        public Settings(int maxQueued, Duration retention, Duration shutdownWait, Duration heartbeatEvery) {
            this(maxQueued, retention, shutdownWait, heartbeatEvery, DEFAULT_CHECKPOINTS);
        }

        public Settings(int maxQueued, Duration retention, Duration shutdownWait) {
            this(maxQueued, retention, shutdownWait, DEFAULT_HEARTBEAT_EVERY);
        }
    }

    /** A job's changing side; its record, events and stop flag change only under its monitor. */
    private final class Job implements TrackedJob {
        final String id;
        final JobEventLog log;
        final AtomicBoolean stop = new AtomicBoolean();
        volatile JobRecord record;
        volatile boolean stoppedForShutdown;

        Job(JobRecord record) {
            this(record, record.nextSequence());
        }

        /** {@code firstSequence}: where this process's events start (a followed worker's: 1, all in the store). */
        Job(JobRecord record, long firstSequence) {
            this.id = record.id();
            this.record = record;
            this.log = new JobEventLog(firstSequence);
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

        @Override
        public void update(JobRecord next, LongFunction<JobEvent> event) {
            TrainingJobs.this.update(this, next, event);
        }

        @Override
        public boolean stopRequested() {
            return stop.get();
        }

        @Override
        public boolean suspendRequested() {
            return stoppedForShutdown;
        }

        @Override
        public void attemptOver() {
            pending.decrementAndGet();
            prune();
        }

        @Override
        public long nextSequence() {
            return log.nextSequence();
        }

        @Override
        public void relay(JobRecord stored, List<JobEvent> events) {
            TrainingJobs.this.relay(this, stored, events);
        }

        @Override
        public void failed(ErrorKind kind, String message) {
            TrainingJobs.this.fail(this, kind, message);
        }
    }

    private final ModelStore models;
    private final JobStore store;
    private final Settings settings;
    private final TrainingMetrics metrics;
    private final TrainingAttempt attempt;
    private final TrainingExecutor executor;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hpl-job-heartbeats");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, String> jobByRequestId = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final java.util.ArrayDeque<Job> endedWithFullEvents = new java.util.ArrayDeque<>();
    private volatile boolean shuttingDown;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::shutdown, "hpl-jobs-shutdown");

    @Inject
    public TrainingJobs(DatasetStore datasets, ModelStore models, MethodRegistry methods, JobStore store,
                        ServerConfig config, Engines engines, TrainingMetrics metrics,
                        Instance<KubernetesClient> kubernetes) {
        this(models, store, settings(config), metrics, new TrainingAttempt(datasets, models, methods, store,
                checkpointPolicy(config), engines::trainingDevice, metrics, limits(config), t -> false),
                attempt -> executor(config, attempt, store, models, engines, kubernetes));
    }

    /** Without CDI (tests): in process; {@code device} answers at once, there are no engines to wait for. */
    public TrainingJobs(DatasetStore datasets, ModelStore models, MethodRegistry methods, JobStore store,
                        Settings settings, Supplier<Device> device, TrainingMetrics metrics) {
        this(datasets, models, methods, store, settings, device, metrics, attempt -> new InProcessExecutor(attempt, () -> { }));
    }

    /** Without CDI, with the executor {@code executor} makes from the attempt (tests: the Kubernetes one). */
    TrainingJobs(DatasetStore datasets, ModelStore models, MethodRegistry methods, JobStore store,
                 Settings settings, Supplier<Device> device, TrainingMetrics metrics,
                 Function<TrainingAttempt, TrainingExecutor> executor) {
        this(models, store, settings, metrics, new TrainingAttempt(datasets, models, methods, store,
                settings.checkpoints(), device, metrics, TrainingLimits.DEFAULTS, t -> false), executor);
    }

    private TrainingJobs(ModelStore models, JobStore store, Settings settings, TrainingMetrics metrics,
                         TrainingAttempt attempt, Function<TrainingAttempt, TrainingExecutor> executor) {
        this.models = models;
        this.store = store;
        this.settings = settings;
        this.metrics = metrics;
        this.attempt = attempt;
        this.executor = executor.apply(attempt);
        startHeartbeats();
    }

    static Settings settings(ServerConfig config) {
        return new Settings(config.training().maxQueued(), config.training().jobRetention(),
                config.training().shutdownWait(), config.training().heartbeatEvery(), checkpointPolicy(config));
    }

    static TrainingLimits limits(ServerConfig config) {
        return new TrainingLimits(config.training().maxParameters(), config.training().maxIterationsTimesBatch());
    }

    static CheckpointPolicy checkpointPolicy(ServerConfig config) {
        return new CheckpointPolicy(config.training().checkpointEveryIterations(), config.training().checkpointEvery());
    }

    /** hpl.training.executor: in-process, or a Kubernetes Job per job (the client is made only then). */
    private static TrainingExecutor executor(ServerConfig config, TrainingAttempt attempt, JobStore store,
                                             ModelStore models, Engines engines, Instance<KubernetesClient> kubernetes) {
        if ("worker".equals(config.mode())) {
            return new InProcessExecutor(attempt, () -> { }); // never given a job: the worker runs its one job itself
        }
        if ("in-process".equals(config.training().executor()) && "s3".equals(config.store().backend())) {
            // Recovery at start re-queues every unfinished record: on a shared store that includes jobs
            // another replica is running (docs/operations.md, "S3 store backend", its caveats).
            LOG.warn("hpl.store.backend=s3 with hpl.training.executor=in-process: let only one replica train (or use "
                    + "hpl.training.executor=kubernetes); a replica starting up runs again every unfinished job in the store");
        }
        return switch (config.training().executor()) {
            case "in-process" -> new InProcessExecutor(attempt, () -> {
                try {
                    engines.awaitReady(Duration.ofMinutes(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            case "kubernetes" -> new KubernetesJobExecutor(kubernetes.get(),
                    KubernetesJobExecutor.Settings.of(config), store, models);
            default -> throw new IllegalArgumentException("hpl.training.executor must be in-process or kubernetes, not '"
                    + config.training().executor() + "'");
        };
    }

    /**
     * Checks the watchers a few times per interval, so an idle one hears a heartbeat between one
     * and 1.25 intervals after the last thing it got.
     */
    private void startHeartbeats() {
        long every = settings.heartbeatEvery().toNanos();
        if (every <= 0) {
            return;
        }
        long tick = Math.max(every / 4, TimeUnit.MILLISECONDS.toNanos(10));
        heartbeats.scheduleAtFixedRate(this::sendHeartbeats, tick, tick, TimeUnit.NANOSECONDS);
    }

    /** One heartbeat round over the unfinished jobs; a failing watcher must not stop later rounds. */
    void sendHeartbeats() {
        long every = settings.heartbeatEvery().toNanos();
        Instant now = Instant.now();
        for (Job job : jobs.values()) {
            JobRecord r = job.record;
            if (r.state().isFinal()) {
                continue;
            }
            try {
                job.log.heartbeat(every, seq -> heartbeat(seq, job.record, now));
            } catch (RuntimeException e) {
                LOG.warnf(e, "heartbeat for training job %s failed", job.id);
            }
        }
    }

    private static JobEvent heartbeat(long sequence, JobRecord r, Instant now) {
        String since = r.state() == io.hpl.server.store.JobState.RUNNING && r.startedAt() != null
                ? r.startedAt() : r.createdAt();
        double elapsed = since == null ? 0 : Math.max(0, Duration.between(Instant.parse(since), now).toMillis() / 1e3);
        return new JobEvent.Heartbeat(sequence, r.id(), r.state(), r.iteration(), r.totalIterations(), elapsed);
    }

    void onStart(@Observes StartupEvent event, ServerConfig config) {
        if ("worker".equals(config.mode())) {
            return; // a worker runs its one job (TrainingWorker): other jobs are the server's
        }
        // A JVM hook runs at SIGTERM alongside Quarkus' own: watchers hear UNAVAILABLE at once instead
        // of after Quarkus waited out quarkus.shutdown.timeout for their open streams.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        recover();
    }

    /**
     * Takes up again what the store says was queued or running when the process ended. In process,
     * it is queued again: a job that was running resumes from its checkpoint when it has one
     * (iterative methods), else starts over. A Kubernetes Job outlives the server: it is followed
     * again (and created if the server stopped before creating it). A job whose model version is
     * already published (the process ended between publishing and recording SUCCEEDED) is marked
     * SUCCEEDED with that version instead of training again.
     */
    public void recover() {
        prune();
        for (JobRecord r : store.list()) {
            if (r.requestId() != null) {
                jobByRequestId.putIfAbsent(r.requestId(), r.id());
            }
            if (r.state().isFinal() || jobs.containsKey(r.id())) {
                continue;
            }
            Optional<ModelRecord> published = attempt.publishedBy(r);
            // A worker elsewhere wrote its events to the store from 1 on: a watcher reattaching here replays them.
            Job job = executor.runsElsewhere() && published.isEmpty() ? new Job(r, 1) : new Job(r);
            if (published.isPresent()) {
                ModelRecord m = published.get();
                synchronized (job) {
                    update(job, r.noted("the server stopped after publishing " + m.name() + " version " + m.version()
                            + " and before recording it; not trained again").succeeded(m.version()),
                            seq -> new JobEvent.Finished(seq, job.id, m.name(), m.version(), m));
                }
                LOG.infof("training job %s: found version %d of %s that it published before the restart", r.id(),
                        m.version(), m.name());
                jobs.put(job.id, job);
                continue;
            }
            if (executor.runsElsewhere()) {
                LOG.infof("training job %s: %s at the restart; following it again", r.id(), r.state());
            } else {
                String why = r.state() == io.hpl.server.store.JobState.RUNNING
                        ? "the server stopped while attempt " + r.attempts() + " ran (at iteration " + r.iteration()
                                + "); queued again, " + restartsHow(r)
                        : "queued again after a server restart";
                synchronized (job) {
                    update(job, r.requeued(why));
                }
                LOG.infof("training job %s: %s", r.id(), why);
            }
            jobs.put(job.id, job);
            pending.incrementAndGet();
            if (executor.runsElsewhere()) {
                executor.follow(job); // its Job runs on (one still QUEUED without a Job gets it at the next poll)
            } else {
                executor.submit(job);
            }
        }
    }

    /** How a job that was running continues: from its checkpoint, or from the start (methods without checkpoints). */
    private String restartsHow(JobRecord r) {
        Optional<byte[]> checkpoint = store.checkpoint(r.id());
        if (checkpoint.isPresent()) {
            try {
                Checkpoint c = Checkpoint.decode(checkpoint.get());
                return "it resumes from its checkpoint at iteration " + c.iteration() + " of " + c.totalIterations();
            } catch (IncompatibleCheckpointException e) {
                return "it re-runs from the start (its checkpoint is not readable: " + e.getMessage() + ")";
            }
        }
        boolean iterative = r.method() != null && attempt.methods().find(r.method()).orElse(null) instanceof IterativeMethod;
        return iterative ? "it re-runs from the start (no checkpoint was written yet)"
                : "it re-runs from the start (" + r.method() + " writes no checkpoints: tree methods and AUTO start over)";
    }

    /**
     * Validates the request and queues it; returns the job at once. The same non-empty
     * {@code requestId} again returns the job it started, so a client may retry a start safely.
     */
    public synchronized JobRecord start(TrainJobSpec spec, String requestId) {
        if (shuttingDown) {
            throw new HplException(ErrorKind.UNAVAILABLE, "the server is shutting down; start the job again once it is back");
        }
        String rid = requestId == null || requestId.isEmpty() ? null : requestId;
        if (rid != null) {
            if (rid.length() > MAX_REQUEST_ID_LENGTH) {
                throw HplException.invalid("request_id is longer than " + MAX_REQUEST_ID_LENGTH + " characters");
            }
            String existing = jobByRequestId.get(rid);
            if (existing != null) {
                JobRecord r = get(existing);
                if (!sameRequest(r, spec)) {
                    throw new HplException(ErrorKind.ALREADY_EXISTS, "request_id '" + rid + "' already started job "
                            + r.id() + " with other parameters; use a new request_id for a new job");
                }
                return r;
            }
        }
        TrainingAttempt.Prepared p = attempt.prepare(spec);
        if (pending.get() >= settings.maxQueued() + 1) {
            throw HplException.exhausted("the training queue is full (" + settings.maxQueued()
                    + " waiting, hpl.training.max-queued); retry later");
        }
        int position = pending.getAndIncrement();
        Job job = new Job(JobRecord.queued("job-" + UUID.randomUUID(), rid, spec.datasetId(), spec.method(), p.name(),
                spec.modelName(), spec.hyperParameters(), spec.seed(), spec.promote()));
        synchronized (job) {
            update(job, job.record, seq -> new JobEvent.Accepted(seq, job.id, position, p.name()));
        }
        jobs.put(job.id, job);
        if (rid != null) {
            jobByRequestId.put(rid, job.id);
        }
        JobRecord accepted = job.record; // as queued: the executor may start it before this returns
        executor.submit(job);
        return accepted;
    }

    private static boolean sameRequest(JobRecord r, TrainJobSpec spec) {
        return Objects.equals(r.datasetId(), spec.datasetId()) && r.requestedMethod() == spec.method()
                && Objects.equals(r.modelName(), spec.modelName())
                && r.hyperParameters().equals(spec.hyperParameters()) && r.seed() == spec.seed()
                && Boolean.TRUE.equals(r.promote()) == spec.promote();
    }

    public JobRecord get(String id) {
        if (id == null || id.isEmpty()) {
            throw HplException.invalid("job_id is required");
        }
        Job job = jobs.get(id);
        if (job != null) {
            synchronized (job) {
                return job.record;
            }
        }
        return store.find(id).orElseThrow(() -> HplException.notFound("job_id " + EchoedInput.quote(id) + ": no such job (records of ended"
                + " jobs are kept for hpl.training.job-retention, " + settings.retention() + ")"));
    }

    /** Jobs oldest first, optionally of one state and one model, a page at a time. */
    public JobPage list(io.hpl.server.store.JobState state, String modelName, int pageSize, String pageToken) {
        if (pageSize < 0) {
            throw HplException.invalid("page_size must be 0 (default " + DEFAULT_PAGE_SIZE + ") or positive, got " + pageSize);
        }
        int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
        String after = pageToken == null || pageToken.isEmpty() ? null : decodeToken(pageToken);
        List<JobRecord> page = new ArrayList<>();
        boolean more = false;
        for (JobRecord r : store.list()) {
            if ((state != null && r.state() != state) || (modelName != null && !modelName.isEmpty()
                    && !modelName.equals(r.modelName())) || (after != null && sortKey(r).compareTo(after) <= 0)) {
                continue;
            }
            if (page.size() == size) {
                more = true;
                break;
            }
            page.add(r);
        }
        String next = more ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sortKey(page.get(page.size() - 1)).getBytes(StandardCharsets.UTF_8)) : "";
        return new JobPage(page, next);
    }

    private static String sortKey(JobRecord r) {
        return r.createdAt() + "|" + r.id();
    }

    private static String decodeToken(String token) {
        try {
            String key = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (key.contains("|")) {
                return key;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal
        }
        throw HplException.invalid("page_token " + EchoedInput.quote(token) + " is not one this server gave out; start again without it");
    }

    /**
     * Cancels a queued or running job. It takes the lock that publishing takes, so either the
     * cancel comes first and nothing is published, or the job has succeeded and the cancel is
     * refused with the published version. Cancelling an ended job again changes nothing.
     */
    public JobRecord cancel(String id) {
        JobRecord known = get(id);
        Job job = jobs.get(id);
        if (job == null && !known.state().isFinal() && executor.runsElsewhere()) {
            job = follow(known); // started by another replica: its Kubernetes Job is deleted from here as well
        }
        if (job == null) {
            refuseIfSucceeded(known);
            return known;
        }
        synchronized (job) {
            JobRecord r = job.record;
            refuseIfSucceeded(r);
            if (r.state().isFinal()) {
                return r;
            }
            job.stop.set(true);
            String note = r.state() == io.hpl.server.store.JobState.RUNNING
                    ? "cancelled while running (at iteration " + r.iteration() + "); nothing published"
                    : "cancelled while queued";
            update(job, r.cancelled(note), seq -> new JobEvent.Cancelled(seq, id, note));
            metrics.jobEnded(r.method().name(), JobState.CANCELLED);
            LOG.infof("training job %s: %s", id, note);
        }
        executor.cancel(job);
        return job.record;
    }

    private static void refuseIfSucceeded(JobRecord r) {
        if (r.state() == io.hpl.server.store.JobState.SUCCEEDED) {
            throw HplException.precondition("job " + r.id() + " already succeeded: it published model '" + r.modelName()
                    + "' version " + r.modelVersion() + "; DeleteModel that version if it is not wanted");
        }
    }

    /**
     * Sends the job's events numbered {@code fromSequence} and later to {@code watcher}, then the
     * live ones; returns what detaches it. Detaching never affects the job. A job that ended
     * before this process started is told by its final event alone.
     */
    public Runnable watch(String id, long fromSequence, JobWatcher watcher) {
        if (fromSequence < 0) {
            throw HplException.invalid("from_sequence must be 0 or positive, got " + fromSequence);
        }
        JobRecord r = get(id);
        Job job = jobs.get(id);
        if (job == null && !r.state().isFinal() && executor.runsElsewhere()) {
            job = follow(r); // started by another replica (or before this one started): relayed from the store
        }
        if (job != null) {
            return job.log.watch(fromSequence, watcher);
        }
        long last = r.nextSequence() - 1;
        if (r.state().isFinal() && fromSequence <= last) {
            watcher.event(finalEvent(r, last));
        }
        return () -> { };
    }

    /** The final event a record that ended tells of, numbered {@code sequence}. */
    private JobEvent finalEvent(JobRecord r, long sequence) {
        return switch (r.state()) {
            case SUCCEEDED -> new JobEvent.Finished(sequence, r.id(), r.modelName(), r.modelVersion(),
                    models.find(r.modelName(), r.modelVersion()).orElse(null));
            case FAILED -> new JobEvent.Failed(sequence, r.id(), ErrorKind.valueOf(r.failureCode()), r.failureMessage());
            default -> new JobEvent.Cancelled(sequence, r.id(), r.history().isEmpty() ? "cancelled"
                    : r.history().get(r.history().size() - 1).note());
        };
    }

    /**
     * Follows a job another process started (Kubernetes executor: another replica, or this one
     * before a restart): its record and the worker's events are relayed from the store from here on.
     */
    private synchronized Job follow(JobRecord r) {
        Job known = jobs.get(r.id());
        if (known != null) {
            return known;
        }
        Job job = new Job(r, 1);
        jobs.put(job.id, job);
        pending.incrementAndGet();
        executor.follow(job);
        return job;
    }

    /** Jobs queued or running. */
    public int pending() {
        return pending.get();
    }

    /**
     * The job failed outside an attempt (its Kubernetes Job ran out of retries, or could not be
     * created). A cancel or an end recorded first stays.
     */
    private void fail(Job job, ErrorKind kind, String message) {
        synchronized (job) {
            if (job.record.state().isFinal()) {
                return;
            }
            update(job, job.record.failed(kind.name(), message), seq -> new JobEvent.Failed(seq, job.id, kind, message));
            LOG.infof("training job %s failed: %s", job.id, message);
        }
        metrics.jobEnded(job.record.method().name(), JobState.FAILED);
    }

    /**
     * What a worker elsewhere recorded becomes this job's record and events here, without writing:
     * the worker wrote them. Its events take the numbers they were written with, so a watcher's
     * "last sequence + 1" stays right across a server restart.
     */
    private void relay(Job job, JobRecord stored, List<JobEvent> events) {
        synchronized (job) {
            if (job.record.state().isFinal()) {
                return; // a cancel or a failure recorded here wins over what a worker still wrote
            }
            boolean ended = false;
            for (JobEvent e : events) {
                job.log.relay(e);
                ended |= e.isFinal();
            }
            if (stored.state().isFinal() && !ended) {
                // ended by another replica (a cancel, a Job out of retries), or its events are gone: the record tells
                job.log.append(seq -> finalEvent(stored, seq));
            }
            job.record = stored.sequenceAt(Math.max(stored.nextSequence(), job.log.nextSequence()));
            if (job.record.state().isFinal()) {
                store.deleteEvents(job.id);
                compactOldEndedJobs(job);
                switch (job.record.state()) {
                    case SUCCEEDED -> metrics.jobEnded(job.record.method().name(), JobState.FINISHED);
                    case FAILED -> metrics.jobEnded(job.record.method().name(), JobState.FAILED);
                    default -> { }
                }
            }
        }
    }

    /** The one place a job's record changes: in memory and on disk, with the event count so far. */
    private void update(Job job, JobRecord next) {
        update(job, next, null);
    }

    /**
     * Records the change on disk first, then tells the watchers: a client that saw an event finds
     * GetJob / ListJobs (and a restarted server) agreeing with it.
     */
    private void update(Job job, JobRecord next, LongFunction<JobEvent> event) {
        long sequence = job.log.nextSequence();
        job.record = next.sequenceAt(event == null ? sequence : sequence + 1);
        store.save(job.record);
        if (event != null) {
            job.log.append(event);
        }
        if (job.record.state().isFinal()) {
            store.deleteCheckpoint(job.id); // an ended job never resumes
            store.deleteEvents(job.id); // a worker's events (Kubernetes executor): relayed already
            compactOldEndedJobs(job);
        }
    }

    private void compactOldEndedJobs(Job ended) {
        synchronized (endedWithFullEvents) {
            endedWithFullEvents.addLast(ended);
            while (endedWithFullEvents.size() > ENDED_JOBS_WITH_FULL_EVENTS) {
                endedWithFullEvents.removeFirst().log.keepFinalOnly();
            }
        }
    }

    /** Forgets ended jobs older than the retention, on disk and here. */
    private void prune() {
        for (String id : store.prune(settings.retention(), Instant.now())) {
            jobs.remove(id);
            jobByRequestId.values().remove(id);
            store.deleteEvents(id);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    /**
     * Stops taking jobs, stops the running one (a network method writes a checkpoint first and
     * resumes from it at the next start; others re-run), tells every watcher of an unfinished job
     * UNAVAILABLE, and waits at most hpl.training.shutdown-wait for the training thread. Queued
     * jobs stay queued in the store.
     */
    @PreDestroy
    public void shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            return;
        }
        shuttingDown = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | SecurityException e) {
                // the JVM is already exiting: the hook may be running this very method
            }
        }
        for (Job job : jobs.values()) {
            synchronized (job) {
                if (job.record.state().isFinal()) {
                    continue;
                }
                job.stoppedForShutdown = true;
                job.stop.set(true);
                job.log.closeWatchers(ErrorKind.UNAVAILABLE, "server shutting down; job " + job.id + " will resume");
            }
        }
        heartbeats.shutdownNow();
        executor.shutdown(settings.shutdownWait());
    }
}
