package io.hpl.server.training.checkpoint;

import java.time.Duration;

/**
 * When a run writes a checkpoint: after every {@code everyIterations} iterations and after the first
 * iteration that ends {@code every} or more after the previous checkpoint (or the run's start).
 * Zero turns either rule off; both off means checkpoints only at shutdown.
 */
public record CheckpointPolicy(long everyIterations, Duration every) {
    public static final CheckpointPolicy OFF = new CheckpointPolicy(0, Duration.ZERO);

    public CheckpointPolicy {
        if (everyIterations < 0 || every.isNegative()) {
            throw new IllegalArgumentException("checkpoint intervals must be 0 (off) or positive");
        }
    }

    /** Due after {@code iteration}, {@code sinceLastNanos} after the last checkpoint? */
    public boolean due(long iteration, long sinceLastNanos) {
        return (everyIterations > 0 && iteration % everyIterations == 0)
                || (!every.isZero() && sinceLastNanos >= every.toNanos());
    }
}
