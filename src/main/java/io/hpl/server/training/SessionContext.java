package io.hpl.server.training;

import ai.djl.ndarray.NDManager;
import io.hpl.server.training.checkpoint.RunState;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.training.views.Views;
import java.util.Random;

/**
 * What a method's session is built from: the job's manager, f_θ, the data and the run's settings.
 * A session registers every piece of mutable state it creates (optimisers, samplers, extra
 * networks, counters) in {@code state}, so that checkpoints carry it and a resumed run continues exactly.
 */
public record SessionContext(
        NDManager manager,
        RegressorNetwork network,
        PreparedData data,
        HyperParameters hyperParameters,
        Random random,
        Views views,
        RunState state) {
}
