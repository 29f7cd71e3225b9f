package io.hpl.server.jobs;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.store.JobState;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.TrainingProgress;

/** One event of a job, numbered: a watcher that reattaches asks for the events from a sequence number on. */
public sealed interface JobEvent {
    long sequence();

    String jobId();

    /** Ends the job's stream of events. */
    default boolean isFinal() {
        return this instanceof Finished || this instanceof Failed || this instanceof Cancelled;
    }

    record Accepted(long sequence, String jobId, int queuePosition, MethodName method) implements JobEvent {
    }

    record Progress(long sequence, String jobId, TrainingProgress progress) implements JobEvent {
    }

    /** {@code model} is null when the version was deleted since (the job's record still names it). */
    record Finished(long sequence, String jobId, String modelName, int version, ModelRecord model) implements JobEvent {
    }

    record Failed(long sequence, String jobId, ErrorKind kind, String message) implements JobEvent {
    }

    record Cancelled(long sequence, String jobId, String message) implements JobEvent {
    }

    /**
     * Liveness for one idle watcher, never kept or replayed. It takes no number of its own:
     * {@code sequence} is that of the job's latest event, so "last sequence seen + 1" stays the
     * right place to reattach. {@code elapsedSeconds}: since the running attempt started, or since
     * the job was created while it is queued.
     */
    record Heartbeat(long sequence, String jobId, JobState state, long iteration, long totalIterations,
                     double elapsedSeconds) implements JobEvent {
    }
}
