package io.hpl.server.training;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.errors.HplException;
import io.hpl.server.training.method.SemiSupervisedHyperParameters;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which hyperparameters apply to which kind of dataset. Every method declares both kinds (so
 * ListMethods shows them all); a request that sets one that cannot apply to its dataset is told
 * so, instead of the value being silently ignored.
 */
public final class HyperParameterScope {
    private static final Set<String> TABULAR_ONLY = names(List.of(CommonHyperParameters.HIDDEN_LAYERS,
            CommonHyperParameters.WEAK_NOISE, SemiSupervisedHyperParameters.STRONG_NOISE,
            SemiSupervisedHyperParameters.SWAP_PROBABILITY, TabularHyperParameters.TABULAR_BACKBONE,
            TabularHyperParameters.ENSEMBLE_SIZE, TabularHyperParameters.EMBEDDING_BINS,
            TabularHyperParameters.EARLY_STOPPING_PATIENCE));
    private static final Set<String> IMAGE_ONLY = names(ImageHyperParameters.ALL);

    private HyperParameterScope() {
    }

    /** Throws INVALID_ARGUMENT naming the given hyperparameters that do not apply to {@code schema}'s kind. */
    public static void check(DatasetSchema schema, Collection<String> given) {
        Set<String> wrong = new TreeSet<>(given);
        wrong.retainAll(schema.isImage() ? TABULAR_ONLY : IMAGE_ONLY);
        if (!wrong.isEmpty()) {
            throw HplException.invalid("hyperparameters " + wrong + " apply to " + (schema.isImage() ? "tabular" : "image")
                    + " datasets only; this dataset is " + (schema.isImage() ? "an image dataset (" + schema.image() + ")"
                    : "tabular"));
        }
    }

    /**
     * Throws INVALID_ARGUMENT when the request sets the packed ensemble's own hyperparameters
     * ({@code ensemble_size}, {@code embedding_bins}) but trains the plain MLP, which has neither.
     */
    public static void checkTabularBackbone(HyperParameters hp, Collection<String> given) {
        Set<String> wrong = new TreeSet<>(given);
        wrong.retainAll(names(List.of(TabularHyperParameters.ENSEMBLE_SIZE, TabularHyperParameters.EMBEDDING_BINS)));
        // Methods without a network (trees, AUTO) declare neither, and resolving refused them already.
        if (!wrong.isEmpty() && hp.get(TabularHyperParameters.TABULAR_BACKBONE) != TabularHyperParameters.Backbone.PACKED_ENSEMBLE) {
            throw HplException.invalid("hyperparameters " + wrong + " apply to tabular_backbone packed_ensemble only;"
                    + " set tabular_backbone to packed_ensemble or leave them out");
        }
    }

    private static Set<String> names(List<HyperParameter<?>> parameters) {
        return parameters.stream().map(HyperParameter::name).collect(Collectors.toUnmodifiableSet());
    }
}
