package io.hpl.server.training.checkpoint;

/** A checkpoint that does not fit the run it is offered to (another method, shape or format): the run starts over. */
public final class IncompatibleCheckpointException extends RuntimeException {
    public IncompatibleCheckpointException(String message) {
        super(message);
    }
}
