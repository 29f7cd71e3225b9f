package io.hpl.server.training;

/** The caller went away or asked to stop; the run ends without publishing anything. */
public class TrainingCancelledException extends RuntimeException {
    public TrainingCancelledException(long iteration) {
        super("training cancelled at iteration " + iteration);
    }
}
