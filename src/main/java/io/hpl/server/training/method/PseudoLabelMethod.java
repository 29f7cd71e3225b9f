package io.hpl.server.training.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodSession;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.StepResult;
import java.util.List;

/**
 * The paper's BL: HPL with every pseudo-label weight fixed at ½ (z ≡ 0) and no meta step.
 * Loss = MSE_l + λ·mean(½·(f(x_s) − ŷ)²), ŷ = f(x_w) in train mode without gradient, refreshed
 * every iteration (FixMatch-style weak → strong consistency without a threshold).
 */
public final class PseudoLabelMethod extends SemiSupervisedMethod {

    @Override
    public MethodName name() {
        return MethodName.PSEUDO_LABEL;
    }

    @Override
    public String description() {
        return "pseudo-labelling (the HPL paper's BL): MSE on labelled rows + lambda * mean(1/2 (f(strong view) - f(weak view))^2),"
                + " pseudo-labels detached; sigma^2 is the residual variance on held-out labelled rows (constant)";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return SemiSupervisedHyperParameters.PSEUDO_LABEL;
    }

    @Override
    protected MethodSession open(SessionContext c) {
        SupervisedMethod.Optimisers optimisers = SupervisedMethod.Optimisers.of(c);
        ConsistencyBatches batches = new ConsistencyBatches(c);
        double lambda = c.hyperParameters().get(SemiSupervisedHyperParameters.UNLABELLED_WEIGHT);
        Engine engine = c.manager().getEngine();
        return (scratch, iteration) -> {
            ConsistencyBatches.Batch batch = batches.next(scratch);
            // Grad mode is off outside the collector, so ŷ is detached.
            NDArray pseudoLabels = c.network().predict(batch.weak(), true);
            float loss;
            try (GradientCollector collector = engine.newGradientCollector()) {
                ConsistencyBatches.StudentPredictions p = ConsistencyBatches.student(c.network(), batch);
                NDArray objective = ConsistencyBatches.mse(p.labelled(), batch.targets())
                        .add(ConsistencyBatches.weighted(p.strong().sub(pseudoLabels).square().mean(), 0.5 * lambda));
                collector.backward(objective);
                loss = objective.getFloat();
            }
            optimisers.step(scratch);
            return StepResult.of(loss);
        };
    }
}
