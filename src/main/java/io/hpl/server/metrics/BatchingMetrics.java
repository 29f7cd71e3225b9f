package io.hpl.server.metrics;

import io.hpl.server.serving.batching.BatchObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching as operators see it: rows and calls per ONNX Runtime run, and how long calls
 * waited for their batch. Not tagged by model: one series each, whatever the number of models.
 */
@Startup // its meters show in /q/metrics from the start, at zero, not after the first batch
@ApplicationScoped
public class BatchingMetrics implements BatchObserver {
    private final DistributionSummary rows;
    private final DistributionSummary calls;
    private final Timer waited;

    public BatchingMetrics(MeterRegistry registry) {
        this.rows = DistributionSummary.builder("hpl.serving.batch.rows")
                .description("Rows per ONNX Runtime run made by the dynamic batcher")
                .baseUnit("rows")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(registry);
        this.calls = DistributionSummary.builder("hpl.serving.batch.calls")
                .description("Scoring calls coalesced into one ONNX Runtime run by the dynamic batcher")
                .baseUnit("calls")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(registry);
        this.waited = Timer.builder("hpl.serving.batch.queue.delay")
                .description("Time a small scoring call waited for its batch to start (0 when it ran at once)")
                .serviceLevelObjectives(java.time.Duration.ofNanos(10_000), java.time.Duration.ofNanos(100_000),
                        java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(100))
                .register(registry);
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
