package io.hpl.server.training;

import java.util.List;

/** One way to train a regressor, with its declared hyperparameters (see {@link MethodRegistry}). */
public interface TrainingMethod {
    MethodName name();

    String description();

    List<HyperParameter<?>> hyperParameters();

    /** Whether the method learns from unlabelled rows (and so needs some). */
    boolean semiSupervised();

    /** Whether the method trains on image datasets; the tree methods and AUTO take tables only. */
    default boolean takesImages() {
        return true;
    }

    TrainingOutcome train(TrainingRun run);
}
