package io.hpl.server.training.method;

import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.nn.UncertaintyLearner;
import io.hpl.server.training.optim.Adam;

/** g_φ and what every method that learns it needs around it: its optimiser, the z guard, the σ² it serves. */
record UncertaintyParts(UncertaintyLearner learner, Adam optimiser, LogVarianceGuard guard, LearnedVariance served) {

    /** Draws g's initial weights, then the served views, from the run's seeded generator, in that order. */
    static UncertaintyParts of(SessionContext c, UncertaintyInput input) {
        HyperParameters hp = c.hyperParameters();
        UncertaintyLearner learner = UncertaintyLearner.xavier(c.manager(), input.width(c.data().width()),
                hp.get(SemiSupervisedHyperParameters.UNCERTAINTY_HIDDEN), c.random());
        Adam optimiser = new Adam(c.manager(), learner.parameters(),
                hp.get(SemiSupervisedHyperParameters.UNCERTAINTY_LEARNING_RATE), 0);
        c.state().arrays("learner.parameters", learner.parameters());
        optimiser.register(c.state(), "adam.learner");
        LogVarianceGuard guard = new LogVarianceGuard(hp.get(SemiSupervisedHyperParameters.Z_FLOOR));
        guard.register(c.state());
        // The served views are drawn here, before any step: a resumed run draws the same ones from the seed.
        return new UncertaintyParts(learner, optimiser,
                guard,
                new LearnedVariance(c, learner, input, hp.get(SemiSupervisedHyperParameters.VARIANCE_VIEWS)));
    }
}
