package io.hpl.server.training;

import ai.djl.Device;
import io.hpl.server.data.Table;
import io.hpl.server.training.checkpoint.Checkpointing;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Everything one training run needs: the data, the resolved hyperparameters, the seed, where to
 * report, and where its checkpoints come from and go (iterative methods only; others ignore it).
 */
public record TrainingRun(
        Table table,
        HyperParameters hyperParameters,
        long seed,
        Device device,
        Consumer<TrainingProgress> progress,
        BooleanSupplier cancelled,
        Checkpointing checkpointing) {

    /** A run that neither resumes nor writes checkpoints. */
    public TrainingRun(Table table, HyperParameters hyperParameters, long seed, Device device,
                       Consumer<TrainingProgress> progress, BooleanSupplier cancelled) {
        this(table, hyperParameters, seed, device, progress, cancelled, Checkpointing.NONE);
    }
}
