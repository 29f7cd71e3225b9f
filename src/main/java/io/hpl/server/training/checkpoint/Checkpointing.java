package io.hpl.server.training.checkpoint;

import java.util.Optional;

/**
 * Where a run's checkpoints come from and go. The jobs layer supplies one per job; a run without
 * one ({@link #NONE}) neither resumes nor writes.
 */
public interface Checkpointing {
    /** The checkpoint to resume from, if any. */
    Optional<Checkpoint> latest();

    /** Whether to write one after {@code iteration} (policy: every N iterations and/or every M seconds). */
    boolean due(long iteration);

    /** Stores it (atomically: a crash leaves the previous checkpoint or this one). */
    void write(Checkpoint checkpoint);

    /**
     * True when the run is asked to stop because the server shuts down: it then writes a checkpoint
     * and stops with {@link io.hpl.server.training.TrainingSuspendedException}, the job stays open.
     */
    boolean suspendRequested();

    /** Tells the job that {@code checkpoint} did not fit and the run started over (why). */
    default void discarded(Checkpoint checkpoint, String why) {
    }

    /** Tells the job that the run continues from {@code checkpoint}. */
    default void resumed(Checkpoint checkpoint) {
    }

    Checkpointing NONE = new Checkpointing() {
        @Override
        public Optional<Checkpoint> latest() {
            return Optional.empty();
        }

        @Override
        public boolean due(long iteration) {
            return false;
        }

        @Override
        public void write(Checkpoint checkpoint) {
        }

        @Override
        public boolean suspendRequested() {
            return false;
        }
    };
}
