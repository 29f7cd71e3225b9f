package io.hpl.server.training.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.hpl.server.model.VarianceModel;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.ServedVariance;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodSession;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.StepResult;
import io.hpl.server.training.nn.UncertaintyLearner;
import io.hpl.server.training.optim.Adam;
import java.util.List;

/**
 * The paper's UL ablation: g_φ trained jointly with θ on the heteroscedastic inner loss, no bi-level
 * step. Loss = MSE_l + λ·mean(½·exp(−z)·(p_s − ŷ)² + ½·z), z = g_φ(p_s − ŷ, p_s) with detached
 * input; the +½·z term (the paper's log σ², absent from the authors' bi-level code) is what keeps
 * z from running to +∞ here. One backward updates θ and φ. z is clamped below as in HPL
 * ({@link LogVarianceGuard}): without it, rows whose residual vanishes drive z to −∞.
 */
public final class HplJointMethod extends SemiSupervisedMethod {

    @Override
    public MethodName name() {
        return MethodName.HPL_JOINT;
    }

    @Override
    public String description() {
        return "HPL's UL ablation: the uncertainty learner g trained jointly with the regressor on the heteroscedastic"
                + " pseudo-label loss (with its +z term), no meta step; sigma^2 = scale * mean over fixed strong views of"
                + " exp(g), scale fitted on held-out rows";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return SemiSupervisedHyperParameters.HPL_JOINT;
    }

    @Override
    protected ServedVariance servedVariance(HyperParameters hp) {
        return hp.get(SemiSupervisedHyperParameters.SERVED_VARIANCE);
    }

    @Override
    protected MethodSession open(SessionContext c) {
        HyperParameters hp = c.hyperParameters();
        SupervisedMethod.Optimisers optimisers = SupervisedMethod.Optimisers.of(c);
        ConsistencyBatches batches = new ConsistencyBatches(c);
        UncertaintyInput input = UncertaintyInput.VIEW;
        UncertaintyParts parts = UncertaintyParts.of(c, input);
        UncertaintyLearner learner = parts.learner();
        Adam learnerOptimiser = parts.optimiser();
        LogVarianceGuard guard = parts.guard();
        LearnedVariance served = parts.served();
        double lambda = hp.get(SemiSupervisedHyperParameters.UNLABELLED_WEIGHT);
        Engine engine = c.manager().getEngine();
        return new MethodSession() {
            @Override
            public StepResult step(NDManager scratch, long iteration) {
                ConsistencyBatches.Batch batch = batches.next(scratch);
                NDArray pseudoLabels = c.network().predict(batch.weak(), true); // grad mode off: detached
                float loss;
                float[] z;
                try (GradientCollector collector = engine.newGradientCollector()) {
                    ConsistencyBatches.StudentPredictions p = ConsistencyBatches.student(c.network(), batch);
                    NDArray logVariance = learner.forward(input.build(p.strong().stopGradient(), pseudoLabels, batch.weak()));
                    NDArray clamped = guard.clamp(logVariance);
                    NDArray heteroscedastic = ConsistencyBatches.weighted(p.strong().sub(pseudoLabels).square()
                            .mul(clamped.neg().exp()).add(clamped).mean(), 0.5 * lambda);
                    NDArray objective = ConsistencyBatches.mse(p.labelled(), batch.targets()).add(heteroscedastic);
                    collector.backward(objective);
                    loss = objective.getFloat();
                    z = logVariance.toFloatArray();
                }
                optimisers.step(scratch);
                learnerOptimiser.step(scratch);
                return new StepResult(loss, guard.statistics(z));
            }

            @Override
            public double[] rawVariance(NDManager scratch, NDArray x) {
                return served.raw(scratch, x);
            }

            @Override
            public VarianceModel variance(double scale) {
                return served.model(scale);
            }
        };
    }
}
