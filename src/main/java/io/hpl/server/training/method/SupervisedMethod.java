package io.hpl.server.training.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.hpl.server.training.BatchSampler;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.IterativeMethod;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodSession;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.StepResult;
import io.hpl.server.training.optim.Adam;
import java.util.List;

/** Mean squared error on the labelled rows alone: the baseline every other method must beat. */
public final class SupervisedMethod extends IterativeMethod {

    @Override
    public MethodName name() {
        return MethodName.SUPERVISED;
    }

    @Override
    public String description() {
        return "labelled rows only, MSE; sigma^2 is the residual variance on held-out labelled rows";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return CommonHyperParameters.ALL;
    }

    @Override
    public boolean semiSupervised() {
        return false;
    }

    @Override
    protected MethodSession open(SessionContext c) {
        Optimisers optimisers = Optimisers.of(c);
        BatchSampler labelled = new BatchSampler(c.data().labelledX().length,
                c.hyperParameters().get(CommonHyperParameters.BATCH_SIZE), c.random());
        labelled.register(c.state(), "sampler.labelled");
        Engine engine = c.manager().getEngine();
        return (scratch, iteration) -> {
            int[] index = labelled.next();
            NDArray x = c.views().weak(scratch, c.data().labelledX(), index);
            NDArray y = LabelledBatch.targets(scratch, c.data().labelledY(), index);
            float loss;
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray mse = c.network().predict(x, true).sub(y).square().mean();
                collector.backward(mse);
                loss = mse.getFloat();
            }
            optimisers.step(scratch);
            return StepResult.of(loss);
        };
    }

    /** Backbone and head, each with its own Adam (the head's rate is HPL's virtual-step rate). */
    record Optimisers(Adam backbone, Adam head) {
        static Optimisers of(SessionContext c) {
            var hp = c.hyperParameters();
            Optimisers optimisers = new Optimisers(
                    new Adam(c.manager(), c.network().backboneParameters(),
                            hp.get(CommonHyperParameters.LEARNING_RATE), hp.get(CommonHyperParameters.WEIGHT_DECAY)),
                    new Adam(c.manager(), c.network().headParameters(),
                            hp.get(CommonHyperParameters.HEAD_LEARNING_RATE), hp.get(CommonHyperParameters.HEAD_WEIGHT_DECAY)));
            optimisers.backbone().register(c.state(), "adam.backbone");
            optimisers.head().register(c.state(), "adam.head");
            return optimisers;
        }

        void step(NDManager scratch) {
            head.step(scratch);
            backbone.step(scratch);
        }
    }
}
