package io.hpl.server.jobs;

import ai.djl.Device;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.metrics.TrainingMetrics.JobState;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameterScope;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingCancelledException;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingProgress;
import io.hpl.server.training.TrainingRun;
import io.hpl.server.training.TrainingSuspendedException;
import io.hpl.server.training.checkpoint.CheckpointPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One attempt at a job, wherever it runs (the server's training thread, a worker pod): checks the
 * request again, trains with progress and checkpoints, publishes, and records how it ended through
 * the job's {@link JobHandle}.
 */
final class TrainingAttempt {
    private static final Logger LOG = Logger.getLogger(TrainingAttempt.class);

    /** How an attempt ended. */
    enum Outcome {
        SUCCEEDED, FAILED, CANCELLED,
        /** Stopped for shutdown and back in the queue: continues from its checkpoint at the next start. */
        SUSPENDED,
        /** Failed, and the failure is left to be retried (a worker pod exits non-zero for its Job's backoffLimit). */
        RETRY
    }

    record Prepared(MethodName name, TrainingMethod method, HyperParameters hp, DatasetRecord dataset) {
    }

    private final DatasetStore datasets;
    private final ModelStore models;
    private final MethodRegistry methods;
    private final ModelExport export;
    private final JobStore store;
    private final CheckpointPolicy checkpoints;
    private final Supplier<Device> device;
    private final TrainingMetrics metrics;
    private final TrainingLimits limits;
    private final Predicate<Throwable> retried;

    /**
     * {@code retried}: the failures left to a retry instead of recorded as FAILED (in process: none;
     * in a worker: all but a request that can never train).
     */
    TrainingAttempt(DatasetStore datasets, ModelStore models, MethodRegistry methods, JobStore store,
                    CheckpointPolicy checkpoints, Supplier<Device> device, TrainingMetrics metrics,
                    TrainingLimits limits, Predicate<Throwable> retried) {
        this.datasets = datasets;
        this.models = models;
        this.methods = methods;
        this.export = new ModelExport(models);
        this.store = store;
        this.checkpoints = checkpoints;
        this.device = device;
        this.metrics = metrics;
        this.limits = limits;
        this.retried = retried;
    }

    /** A worker's rule: everything is worth a retry but a request that fails the same way every time. */
    static boolean retriedInWorker(Throwable t) {
        return !(t instanceof HplException e) || e.kind() == ErrorKind.UNAVAILABLE || e.kind() == ErrorKind.INTERNAL;
    }

    MethodRegistry methods() {
        return methods;
    }

    /** The version this job published, if any (model metadata names the publishing job). */
    Optional<ModelRecord> publishedBy(JobRecord r) {
        try {
            return models.list(r.modelName()).stream().filter(m -> r.id().equals(m.jobId())).findFirst();
        } catch (HplException e) {
            return Optional.empty(); // a model name the store refuses has no versions
        }
    }

    static TrainJobSpec spec(JobRecord r) {
        return new TrainJobSpec(r.datasetId(), r.requestedMethod(), r.modelName(), r.hyperParameters(), r.seed(),
                Boolean.TRUE.equals(r.promote()));
    }

    Outcome run(JobHandle job) {
        MethodName name;
        synchronized (job.lock()) {
            if (job.record().state().isFinal() || job.stopRequested()) {
                return Outcome.CANCELLED; // cancelled while queued, or stopping: the record says which
            }
            job.update(job.record().running(), null);
            name = job.record().method();
        }
        long start = System.nanoTime();
        TrainJobSpec spec = spec(job.record());
        Outcome outcome;
        try {
            Prepared p = prepare(spec); // again: the dataset may have gone while the job waited
            name = p.name();
            LOG.infof("training job %s: method %s, dataset %s (sha256 %s), seed %d, model %s", job.id(), name,
                    p.dataset().id(), p.dataset().sha256(), spec.seed(), spec.modelName());
            TrainingOutcome trained = p.method().train(new TrainingRun(datasets.load(p.dataset().id()), p.hp(),
                    spec.seed(), device.get(), progress(job), job::stopRequested, checkpoints(job)));
            double seconds = (System.nanoTime() - start) / 1e9;
            ModelRecord model;
            synchronized (job.lock()) {
                // Same lock as a cancel: a cancel that got here first wins and nothing is published.
                if (job.stopRequested()) {
                    throw new TrainingCancelledException(job.record().iteration());
                }
                model = export.publish(job.id(), spec, name, p.hp(), p.dataset(), trained, seconds);
                job.update(job.record().succeeded(model.version()),
                        seq -> new JobEvent.Finished(seq, job.id(), model.name(), model.version(), model));
            }
            LOG.infof("training job %s: published %s version %d in %.1f s (%.3f ms/iteration)", job.id(), model.name(),
                    model.version(), seconds, trained.millisPerIteration());
            metrics.lastJobSpeed(trained.millisPerIteration());
            metrics.jobEnded(name.name(), JobState.FINISHED);
            outcome = Outcome.SUCCEEDED;
        } catch (TrainingSuspendedException e) {
            outcome = suspended(job, e.iteration());
        } catch (TrainingCancelledException e) {
            outcome = stopped(job);
        } catch (HplException e) {
            if (retried.test(e)) {
                outcome = retry(job, e.getMessage(), e);
            } else {
                LOG.infof("training job %s failed: %s", job.id(), e.getMessage());
                outcome = fail(job, name, e.kind(), e.getMessage());
            }
        } catch (RuntimeException | Error e) {
            if (retried.test(e)) {
                outcome = retry(job, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
            } else {
                LOG.errorf(e, "training job %s failed unexpectedly", job.id());
                outcome = fail(job, name, ErrorKind.INTERNAL, "training job " + job.id() + " failed unexpectedly ("
                        + e.getClass().getSimpleName() + "); the server log has the details");
            }
        }
        recordRunTime(job, name, start);
        return outcome;
    }

    /** The attempt's run time by how it ended; an attempt stopped for shutdown is not an end (it re-runs). */
    private void recordRunTime(JobHandle job, MethodName name, long start) {
        JobState ended = switch (job.record().state()) {
            case SUCCEEDED -> JobState.FINISHED;
            case FAILED -> JobState.FAILED;
            case CANCELLED -> JobState.CANCELLED;
            default -> null;
        };
        if (ended != null) {
            metrics.jobTook(name.name(), ended, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private JobCheckpoints checkpoints(JobHandle job) {
        return new JobCheckpoints(job.id(), store, checkpoints, job.lock(), job::record, change -> {
            synchronized (job.lock()) {
                if (!job.record().state().isFinal()) { // a cancel got here first: its record stays as it ended
                    job.update(change.apply(job.record()), null);
                }
            }
        }, job::suspendRequested);
    }

    /** The run wrote a checkpoint at {@code iteration} and stopped for shutdown: back in the queue, to resume. */
    private Outcome suspended(JobHandle job, long iteration) {
        synchronized (job.lock()) {
            if (!job.record().state().isFinal()) {
                String how = iteration > 0 ? "checkpoint written at iteration " + iteration + "; resumes from it"
                        : "no iteration done yet; starts from the beginning";
                job.update(job.record().requeued("interrupted by server shutdown; " + how + " at the next start"), null);
                LOG.infof("training job %s: stopped for shutdown; %s at the next start", job.id(), how);
            }
        }
        return Outcome.SUSPENDED;
    }

    /** Training saw the stop flag: either a cancel already recorded, or the process is stopping. */
    private Outcome stopped(JobHandle job) {
        synchronized (job.lock()) {
            if (job.suspendRequested() && !job.record().state().isFinal()) {
                job.update(job.record().requeued("interrupted by server shutdown at iteration " + job.record().iteration()
                        + "; re-runs from the start at the next start"), null);
                LOG.infof("training job %s: stopped for shutdown; it re-runs at the next start", job.id());
                return Outcome.SUSPENDED;
            }
        }
        return Outcome.CANCELLED;
    }

    private Outcome retry(JobHandle job, String message, Throwable e) {
        LOG.errorf(e, "training job %s: attempt %d failed; it is retried", job.id(), job.record().attempts());
        synchronized (job.lock()) {
            if (!job.record().state().isFinal()) {
                job.update(job.record().noted("attempt " + job.record().attempts() + " failed (" + message
                        + "); retried from its checkpoint, if any"), null);
            }
        }
        return Outcome.RETRY;
    }

    private Outcome fail(JobHandle job, MethodName name, ErrorKind kind, String message) {
        synchronized (job.lock()) {
            if (job.record().state().isFinal()) {
                return Outcome.CANCELLED;
            }
            job.update(job.record().failed(kind.name(), message), seq -> new JobEvent.Failed(seq, job.id(), kind, message));
        }
        metrics.jobEnded(name.name(), JobState.FAILED);
        return Outcome.FAILED;
    }

    /** Passes progress on and records it, counting the iterations done since the previous report. */
    private Consumer<TrainingProgress> progress(JobHandle job) {
        long[] reported = {0};
        return p -> {
            metrics.iterationsDone(p.iteration() - reported[0]);
            reported[0] = p.iteration();
            synchronized (job.lock()) {
                if (job.record().state() != io.hpl.server.store.JobState.RUNNING) {
                    return;
                }
                job.update(job.record().progressed(p.iteration(), p.totalIterations()),
                        seq -> new JobEvent.Progress(seq, job.id(), p));
            }
        };
    }

    /** Checks a request before it is queued (and again before it runs). */
    Prepared prepare(TrainJobSpec spec) {
        device.get(); // UNAVAILABLE while the engines load
        ModelStore.validateName(spec.modelName());
        if (spec.datasetId() == null || spec.datasetId().isEmpty()) {
            throw HplException.invalid("dataset_id is required");
        }
        DatasetRecord dataset = datasets.get(spec.datasetId())
                .orElseThrow(() -> HplException.notFound("dataset " + EchoedInput.quote(spec.datasetId()) + " not found"));
        MethodName name = spec.method() != null ? spec.method() : methods.defaultFor(dataset.schema().isImage(), dataset.unlabelledRows());
        TrainingMethod method = methods.get(name);
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), spec.hyperParameters());
        if (dataset.schema().isImage() && !method.takesImages()) {
            throw HplException.precondition("method " + name + " trains on tables and dataset '" + dataset.id()
                    + "' holds images; for images use SUPERVISED, PSEUDO_LABEL, HPL, HPL_JOINT or MEAN_TEACHER");
        }
        HyperParameterScope.check(dataset.schema(), method.hyperParameters(), spec.hyperParameters().keySet());
        HyperParameterScope.checkTabularBackbone(hp, spec.hyperParameters().keySet());
        limits.check(dataset.schema(), hp);
        if (method.semiSupervised()) {
            TrainingMethod.requireUnlabelledRows(name, dataset.unlabelledRows(), "dataset '" + dataset.id() + "'");
        }
        return new Prepared(name, method, hp, dataset);
    }
}
