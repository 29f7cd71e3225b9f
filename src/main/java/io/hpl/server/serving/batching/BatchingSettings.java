package io.hpl.server.serving.batching;

import java.time.Duration;

/**
 * How {@link DynamicBatcher} coalesces concurrent small scoring calls on one model version
 * ({@code hpl.serving.batching.*}; docs/configuration.md).
 *
 * @param enabled        whether calls are coalesced at all; off, every call runs its own ONNX Runtime run
 * @param maxBatchRows   most rows in one coalesced run; a call of this many rows or more runs alone
 * @param maxQueueDelay  how long a batch that already has waiting calls may wait for more before it runs;
 *                       zero: it runs with what is queued (a lone call never waits, whatever this is)
 * @param maxQueuedRows  most rows waiting per model version; a call past it is refused RESOURCE_EXHAUSTED
 * @param concurrentRuns batches of one model version running at once; a call that finds them all busy queues
 */
public record BatchingSettings(boolean enabled, int maxBatchRows, Duration maxQueueDelay, int maxQueuedRows,
                               int concurrentRuns) {
    public BatchingSettings {
        if (maxBatchRows < 1 || maxQueuedRows < 1 || concurrentRuns < 1 || maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("hpl.serving.batching: max-batch-rows, max-queued-rows and concurrent-runs"
                    + " must be at least 1 and max-queue-delay not negative; got " + maxBatchRows + ", " + maxQueuedRows
                    + ", " + concurrentRuns + ", " + maxQueueDelay);
        }
    }

    /** Batching off: every call scores alone, as before batching existed. */
    public static final BatchingSettings OFF = new BatchingSettings(false, 1, Duration.ZERO, 1, 1);
}
