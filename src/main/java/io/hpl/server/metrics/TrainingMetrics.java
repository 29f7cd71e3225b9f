package io.hpl.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
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

    private final MeterRegistry registry;
    private final Counter iterations;
    // Micrometer gauges hold their state weakly: keep it in a field.
    private final AtomicLong lastIterationsPerSecond = new AtomicLong(Double.doubleToLongBits(0));

    public TrainingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.iterations = Counter.builder("hpl.training.iterations")
                .description("Training iterations (minibatch steps) done, counted at each progress report")
                .register(registry);
        registry.gauge("hpl.training.iterations.per.second", lastIterationsPerSecond,
                v -> Double.longBitsToDouble(v.get()));
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
