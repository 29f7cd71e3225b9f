package io.hpl.server.metrics;

import io.hpl.server.serving.batching.BatchObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching as operators see it: rows and calls per shared ONNX Runtime run, calls that ran
 * alone, and how long queued calls waited for their batch. Not tagged by model: one series each,
 * whatever the number of models. A lone call costs one counter increment, nothing more.
 */
@Startup // its meters show in /q/metrics from the start, at zero, not after the first batch
@ApplicationScoped
public class BatchingMetrics implements BatchObserver {
    private final DistributionSummary rows;
    private final DistributionSummary calls;
    private final Timer waited;
    private final Counter alone;

    public BatchingMetrics(MeterRegistry registry) {
        this.rows = DistributionSummary.builder("hpl.serving.batch.rows")
                .description("Rows per ONNX Runtime run shared by two or more calls (dynamic batching)")
                .baseUnit("rows")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(registry);
        this.calls = DistributionSummary.builder("hpl.serving.batch.calls")
                .description("Scoring calls coalesced into one shared ONNX Runtime run (dynamic batching)")
                .baseUnit("calls")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(registry);
        this.waited = Timer.builder("hpl.serving.batch.queue.delay")
                .description("Time a small scoring call that queued waited for its batch to start")
                .serviceLevelObjectives(java.time.Duration.ofNanos(10_000), java.time.Duration.ofNanos(100_000),
                        java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(100))
                .register(registry);
        this.alone = Counter.builder("hpl.serving.batch.alone.calls")
                .description("Small scoring calls that ran in a run of their own (idle server, or a thread that may not wait)")
                .register(registry);
    }

    @Override
    public void alone() {
        alone.increment();
    }

    @Override
    public void ran(int calls, int rows) {
        this.calls.record(calls);
        this.rows.record(rows);
    }

    @Override
    public void waited(long nanos) {
        waited.record(nanos, TimeUnit.NANOSECONDS);
    }
}
