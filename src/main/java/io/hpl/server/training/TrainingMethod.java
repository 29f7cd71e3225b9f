package io.hpl.server.training;

import io.hpl.server.errors.HplException;
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

    /**
     * The one rule for {@link #semiSupervised()} methods: the data must hold unlabelled rows. Checked
     * when a job is accepted (naming the dataset) and again by the method itself on what it is given.
     *
     * @param data what the rows came from, for the message: "dataset 'ds-…'" or "the dataset"
     */
    static void requireUnlabelledRows(MethodName method, long unlabelledRows, String data) {
        if (unlabelledRows == 0) {
            throw HplException.precondition("method " + method + " learns from unlabelled rows and " + data
                    + " has none (rows with an empty target); use SUPERVISED or upload unlabelled rows");
        }
    }
}
