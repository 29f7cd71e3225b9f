package io.hpl.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Training job outcomes and throughput. Jobs run one at a time on one thread, so the last job's
 * iterations per second is a meaningful gauge; the iteration counter gives the rate over any window.
 */
@Startup // its meters show in /q/metrics from the start, at zero, not after the first job
@ApplicationScoped
public class TrainingMetrics {
    /** How a job ended; the tag value of {@code hpl_training_jobs_total}. */
    public enum JobState { FINISHED, FAILED, CANCELLED }

    /**
     * Bucket bounds of {@code hpl_training_duration_seconds}: jobs take seconds (a small table) to
     * hours (the full image protocol on CPU), far past the RPC histogram's 30 s, so training has its
     * own explicit buckets; 14 of them, not Micrometer's ~70 per series.
     */
    static final Duration[] TRAINING_BUCKETS = {
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2),
            Duration.ofHours(4), Duration.ofHours(8)};

    private final MeterRegistry registry;
    private final Counter iterations;
    // Micrometer gauges hold their state weakly: keep it in a field.
    private final AtomicLong lastIterationsPerSecond = new AtomicLong(Double.doubleToLongBits(0));

    public TrainingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.iterations = Counter.builder("hpl.training.iterations")
                .description("Training iterations (minibatch steps) done, counted at each progress report")
                .register(registry);
        Gauge.builder("hpl.training.iterations.per.second", lastIterationsPerSecond, v -> Double.longBitsToDouble(v.get()))
                .description("Training iterations per second of the last job that finished")
                .register(registry);
    }

    /** How long a job that started training ran, from its start to its end (queue wait excluded). */
    public void jobTook(String method, JobState state, Duration took) {
        Timer.builder("hpl.training.duration")
                .description("Training job run time, from the start of training to its end, by method and final state")
                .tag("method", method)
                .tag("state", state.name().toLowerCase(Locale.ROOT))
                .serviceLevelObjectives(TRAINING_BUCKETS)
                .register(registry).record(took);
    }

    public void jobEnded(String method, JobState state) {
        Counter.builder("hpl.training.jobs")
                .description("Training jobs that ended, by method and final state")
                .tag("method", method)
                .tag("state", state.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    public void iterationsDone(long count) {
        if (count > 0) {
            iterations.increment(count);
        }
    }

    /** The throughput of the job that just finished. */
    public void lastJobSpeed(double millisPerIteration) {
        if (millisPerIteration > 0) {
            lastIterationsPerSecond.set(Double.doubleToLongBits(1000.0 / millisPerIteration));
        }
    }
}
