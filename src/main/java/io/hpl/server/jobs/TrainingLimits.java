package io.hpl.server.jobs;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.errors.HplException;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.TabularHyperParameters;
import java.util.List;

/**
 * What one training job may cost, checked when it is submitted, before anything is queued: a
 * job over a limit would hold the only trainer for hours or fail out of memory after it
 * (hidden_layers=8192,8192,8192 took 4.3 GB of native memory and failed at export).
 *
 * @param maxParameters           most weights of a table model's network, estimated from its hyperparameters
 *                                ({@code hpl.training.max-parameters})
 * @param maxIterationsTimesBatch most iterations × batch_size of one job ({@code hpl.training.max-iterations-times-batch})
 */
public record TrainingLimits(long maxParameters, long maxIterationsTimesBatch) {
    /** The defaults of {@code ServerConfig.Training}: 2^24 weights (64 MB as floats), 2^27 rows. */
    public static final TrainingLimits DEFAULTS = new TrainingLimits(1L << 24, 1L << 27);

    public TrainingLimits {
        if (maxParameters <= 0 || maxIterationsTimesBatch <= 0) {
            throw new IllegalArgumentException("training limits must be positive: " + maxParameters + ", " + maxIterationsTimesBatch);
        }
    }

    /** Refuses a job over a limit; methods that do not declare the hyperparameters are not bounded by them. */
    public void check(DatasetSchema schema, HyperParameters hp) {
        if (hp.declares(CommonHyperParameters.ITERATIONS) && hp.declares(CommonHyperParameters.BATCH_SIZE)) {
            long iterations = hp.get(CommonHyperParameters.ITERATIONS);
            long batch = hp.get(CommonHyperParameters.BATCH_SIZE);
            if (iterations * batch > maxIterationsTimesBatch) {
                throw HplException.exhausted("iterations × batch_size is " + iterations + " × " + batch + " = "
                        + iterations * batch + ", over the limit of " + maxIterationsTimesBatch
                        + " per job (hpl.training.max-iterations-times-batch); lower iterations or batch_size");
            }
        }
        if (!schema.isImage() && hp.declares(CommonHyperParameters.HIDDEN_LAYERS)) {
            long parameters = tabularParameters(schema, hp);
            if (parameters > maxParameters) {
                throw HplException.exhausted("the network of hidden_layers=" + hp.asText().get("hidden_layers")
                        + " on " + schema.encodedWidth() + " inputs has about " + parameters + " weights, over the limit of "
                        + maxParameters + " per job (hpl.training.max-parameters); use fewer or narrower hidden layers");
            }
        }
    }

    /**
     * An upper bound of a table network's weights: dense layers from the encoded inputs through
     * hidden_layers to a two-output head, times the members of a packed ensemble, whose inputs are
     * the piecewise-linear encoding (at most embedding_bins values per input).
     */
    static long tabularParameters(DatasetSchema schema, HyperParameters hp) {
        long inputs = schema.encodedWidth();
        long members = 1;
        if (hp.declares(TabularHyperParameters.TABULAR_BACKBONE)
                && hp.get(TabularHyperParameters.TABULAR_BACKBONE) == TabularHyperParameters.Backbone.PACKED_ENSEMBLE) {
            members = hp.get(TabularHyperParameters.ENSEMBLE_SIZE);
            inputs *= Math.max(1, hp.get(TabularHyperParameters.EMBEDDING_BINS));
        }
        List<Integer> hidden = hp.get(CommonHyperParameters.HIDDEN_LAYERS);
        long total = 0;
        long in = inputs;
        for (int width : hidden) {
            total += (in + 1) * width;
            in = width;
        }
        total += (in + 1) * 2;
        return members * total;
    }
}
