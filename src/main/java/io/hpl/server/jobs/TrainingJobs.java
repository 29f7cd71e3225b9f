package io.hpl.server.jobs;

import ai.djl.Device;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameterScope;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.health.Engines;
import io.hpl.server.metrics.TrainingMetrics;
import io.hpl.server.metrics.TrainingMetrics.JobState;
import io.hpl.server.training.TrainingCancelledException;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingProgress;
import io.hpl.server.training.TrainingRun;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Runs training jobs one at a time on a dedicated thread: DJL's PyTorch engine allows one
 * gradient collector per process, and PyTorch's grad mode is per thread. Requests are validated
 * before they are queued, so a bad request fails at once instead of after the queue.
 */
@ApplicationScoped
public class TrainingJobs {
    private static final Logger LOG = Logger.getLogger(TrainingJobs.class);

    private final DatasetStore datasets;
    private final MethodRegistry methods;
    private final ModelExport export;
    private final Engines engines;
    private final TrainingMetrics metrics;
    private final int maxQueued;
    private final TrainingLimits limits;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hpl-training");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<String, AtomicBoolean> cancellations = new ConcurrentHashMap<>();

    public TrainingJobs(DatasetStore datasets, ModelStore models, MethodRegistry methods, ServerConfig config,
                        Engines engines, TrainingMetrics metrics) {
        this.datasets = datasets;
        this.methods = methods;
        this.export = new ModelExport(models);
        this.maxQueued = config.training().maxQueued();
        this.limits = new TrainingLimits(config.training().maxParameters(), config.training().maxIterationsTimesBatch());
        this.engines = engines;
        this.metrics = metrics;
    }

    /** Validates the request and queues it; the listener hears the rest. */
    public AcceptedJob submit(TrainJobSpec spec, JobListener listener) {
        Device device = engines.trainingDevice();
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
        HyperParameterScope.check(dataset.schema(), spec.hyperParameters().keySet());
        HyperParameterScope.checkTabularBackbone(hp, spec.hyperParameters().keySet());
        limits.check(dataset.schema(), hp);
        if (method.semiSupervised() && dataset.unlabelledRows() == 0) {
            throw HplException.precondition("method " + name + " learns from unlabelled rows and dataset '" + dataset.id()
                    + "' has none (rows with an empty target); use SUPERVISED or upload unlabelled rows");
        }
        int position = waiting.getAndIncrement();
        if (position >= maxQueued + 1) {
            waiting.decrementAndGet();
            throw HplException.exhausted("the training queue is full (" + maxQueued + " waiting); retry later");
        }
        String jobId = "job-" + UUID.randomUUID();
        AtomicBoolean cancelled = new AtomicBoolean();
        cancellations.put(jobId, cancelled);
        worker.execute(() -> run(jobId, spec, name, method, hp, dataset, device, cancelled, listener));
        return new AcceptedJob(jobId, position, name);
    }

    /** Stops a queued or running job; nothing is published for it. */
    public void cancel(String jobId) {
        AtomicBoolean flag = cancellations.get(jobId);
        if (flag != null) {
            flag.set(true);
        }
    }

    /** Jobs accepted and not yet finished, the running one included. */
    public int pending() {
        return waiting.get();
    }

    private void run(String jobId, TrainJobSpec spec, MethodName name, TrainingMethod method, HyperParameters hp,
                     DatasetRecord dataset, Device device, AtomicBoolean cancelled, JobListener listener) {
        long start = System.nanoTime();
        try {
            if (cancelled.get()) {
                metrics.jobEnded(name.name(), JobState.CANCELLED);
                return;
            }
            LOG.infof("training job %s: method %s, dataset %s (sha256 %s), seed %d, model %s", jobId, name,
                    dataset.id(), dataset.sha256(), spec.seed(), spec.modelName());
            TrainingOutcome outcome = method.train(new TrainingRun(datasets.load(dataset.id()), hp, spec.seed(), device,
                    progressCounted(jobId, listener), cancelled::get));
            double seconds = (System.nanoTime() - start) / 1e9;
            ModelRecord model = export.publish(spec, name, hp, dataset, outcome, seconds);
            LOG.infof("training job %s: published %s version %d in %.1f s (%.3f ms/iteration)", jobId, model.name(),
                    model.version(), seconds, outcome.millisPerIteration());
            metrics.lastJobSpeed(outcome.millisPerIteration());
            metrics.jobEnded(name.name(), JobState.FINISHED);
            listener.finished(jobId, model);
        } catch (TrainingCancelledException e) {
            LOG.infof("training job %s: %s", jobId, e.getMessage());
            metrics.jobEnded(name.name(), JobState.CANCELLED);
        } catch (HplException e) {
            LOG.infof("training job %s failed: %s", jobId, e.getMessage());
            metrics.jobEnded(name.name(), JobState.FAILED);
            listener.failed(jobId, e.kind(), e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "training job %s failed unexpectedly", jobId);
            metrics.jobEnded(name.name(), JobState.FAILED);
            listener.failed(jobId, ErrorKind.INTERNAL, "training job " + jobId + " failed unexpectedly ("
                    + e.getClass().getSimpleName() + "); the server log has the details");
        } finally {
            cancellations.remove(jobId);
            waiting.decrementAndGet();
        }
    }

    /** Passes progress on, counting the iterations done since the previous report. */
    private Consumer<TrainingProgress> progressCounted(String jobId, JobListener listener) {
        long[] reported = {0};
        return p -> {
            metrics.iterationsDone(p.iteration() - reported[0]);
            reported[0] = p.iteration();
            listener.progress(jobId, p);
        };
    }

    @PreDestroy
    void shutdown() throws InterruptedException {
        cancellations.values().forEach(flag -> flag.set(true));
        worker.shutdown();
        worker.awaitTermination(30, TimeUnit.SECONDS);
    }
}
