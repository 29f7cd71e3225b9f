package io.hpl.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainingMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TrainingMetrics metrics = new TrainingMetrics(registry);

    @Test
    void trainingDurationHasItsOwnHistogramWithBucketsToHours() {
        metrics.jobTook("HPL", TrainingMetrics.JobState.FINISHED, Duration.ofMinutes(90));
        metrics.jobTook("HPL", TrainingMetrics.JobState.FINISHED, Duration.ofSeconds(3));

        Timer timer = registry.find("hpl.training.duration").tag("method", "HPL").tag("state", "finished").timer();
        assertEquals(2, timer.count());
        CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
        assertEquals(TrainingMetrics.TRAINING_BUCKETS.length, buckets.length, Arrays.toString(buckets));
        assertEquals(Duration.ofHours(8).toSeconds(), buckets[buckets.length - 1].bucket(TimeUnit.SECONDS));
        assertEquals(1.0, countAt(buckets, Duration.ofSeconds(5)), "the 3 s job");
        assertEquals(1.0, countAt(buckets, Duration.ofHours(1)), "the 90 min job is above 1 h");
        assertEquals(2.0, countAt(buckets, Duration.ofHours(2)));
    }

    @Test
    void everyMeterHasHelpText() {
        metrics.jobEnded("HPL", TrainingMetrics.JobState.FAILED);
        metrics.jobTook("HPL", TrainingMetrics.JobState.FAILED, Duration.ofSeconds(1));
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().syntheticAssociation() != null) {
                continue; // the simple registry's per-bucket gauges; Prometheus writes buckets under the timer's HELP
            }
            String help = meter.getId().getDescription();
            assertTrue(help != null && !help.isBlank(), meter.getId().getName() + " has no description (Prometheus HELP)");
        }
        assertFalse(registry.find("hpl.training.iterations.per.second").gauges().isEmpty());
    }

    private static double countAt(CountAtBucket[] buckets, Duration bound) {
        return Arrays.stream(buckets).filter(b -> b.bucket(TimeUnit.SECONDS) == bound.toSeconds())
                .findFirst().orElseThrow().count();
    }
}
