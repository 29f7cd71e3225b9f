package io.hpl.server.training;

/**
 * The run stopped because the server shuts down, after writing a checkpoint at {@code iteration}
 * (0: none written, e.g. a method without checkpoints). The job is not over: it continues at the next start.
 */
public final class TrainingSuspendedException extends RuntimeException {
    private final long iteration;

    public TrainingSuspendedException(long iteration) {
        super("training suspended for shutdown after iteration " + iteration, null, false, false);
        this.iteration = iteration;
    }

    public long iteration() {
        return iteration;
    }
}
