package io.hpl.server.training;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.errors.HplException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which hyperparameters apply to which kind of dataset, as each declaration says
 * ({@link HyperParameter#appliesTo}): a request that sets one that cannot apply to its dataset is
 * told so, instead of the value being silently ignored.
 */
public final class HyperParameterScope {
    private HyperParameterScope() {
    }

    /** Throws INVALID_ARGUMENT naming the given hyperparameters that {@code declared} says do not apply to {@code schema}'s kind. */
    public static void check(DatasetSchema schema, List<HyperParameter<?>> declared, Collection<String> given) {
        Set<String> wrong = new TreeSet<>(given);
        wrong.retainAll(declared.stream().filter(p -> !p.appliesTo().includes(schema.isImage())).map(HyperParameter::name)
                .collect(Collectors.toSet()));
        if (!wrong.isEmpty()) {
            throw HplException.invalid("hyperparameters " + wrong + " apply to " + (schema.isImage() ? "tabular" : "image")
                    + " datasets only; this dataset is " + (schema.isImage() ? "an image dataset (" + schema.image() + ")"
                    : "tabular"));
        }
    }

    /** The declarations that apply to a dataset of the given kind: what ListMethods shows for it. */
    public static List<HyperParameter<?>> applying(List<HyperParameter<?>> declared, boolean imageDataset) {
        return declared.stream().filter(p -> p.appliesTo().includes(imageDataset)).toList();
    }

    /**
     * Throws INVALID_ARGUMENT when the request sets the packed ensemble's own hyperparameters
     * ({@code ensemble_size}, {@code embedding_bins}) but trains the plain MLP, which has neither.
     */
    public static void checkTabularBackbone(HyperParameters hp, Collection<String> given) {
        Set<String> wrong = new TreeSet<>(given);
        wrong.retainAll(Set.of(TabularHyperParameters.ENSEMBLE_SIZE.name(), TabularHyperParameters.EMBEDDING_BINS.name()));
        // Methods without a network (trees, AUTO) declare neither, and resolving refused them already.
        if (!wrong.isEmpty() && hp.get(TabularHyperParameters.TABULAR_BACKBONE) != TabularHyperParameters.Backbone.PACKED_ENSEMBLE) {
            throw HplException.invalid("hyperparameters " + wrong + " apply to tabular_backbone packed_ensemble only;"
                    + " set tabular_backbone to packed_ensemble or leave them out");
        }
    }
}
