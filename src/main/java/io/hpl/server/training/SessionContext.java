package io.hpl.server.training;

import ai.djl.ndarray.NDManager;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.training.views.Views;
import java.util.Random;

/** What a method's session is built from: the job's manager, f_θ, the data and the run's settings. */
public record SessionContext(
        NDManager manager,
        RegressorNetwork network,
        PreparedData data,
        HyperParameters hyperParameters,
        Random random,
        Views views) {
}
