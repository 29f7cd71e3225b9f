package io.hpl.server.training;

import ai.djl.Device;
import io.hpl.server.data.Table;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Everything one training run needs: the data, the resolved hyperparameters, the seed, where to report. */
public record TrainingRun(
        Table table,
        HyperParameters hyperParameters,
        long seed,
        Device device,
        Consumer<TrainingProgress> progress,
        BooleanSupplier cancelled) {
}
