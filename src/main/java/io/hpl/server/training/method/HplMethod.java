package io.hpl.server.training.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.hpl.server.model.VarianceModel;
import io.hpl.server.training.BatchSampler;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.ServedVariance;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodSession;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.StepResult;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.training.nn.UncertaintyLearner;
import io.hpl.server.training.optim.Adam;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HPL (Sun et al., NeurIPS 2025) as the authors' code does it (docs/algorithm.md §2): pseudo-labels
 * ŷ = f(x_w) weighted by ½·exp(−z), z = g_φ(u) read as log σ²; every {@code meta_period}
 * iterations (the first included) g takes one Adam step on the hypergradient of the outer loss
 * through a virtual Adam step of the head (closed form in {@link HeadMetaGradient}); then, every
 * iteration, the real step of f_θ with the just-updated g.
 *
 * <p>Deviations, each deliberate: z is clamped below at {@code z_floor} in the weights
 * ({@link LogVarianceGuard}; the authors have no guard); the meta step's four backbone forwards
 * (labelled, weak, strong, outer) run as one concatenated no-grad forward, and the real step's
 * labelled and strong forwards as one: equivalent without batch norm (dropout masks are per
 * element), and fewer native calls. With batch norm (ResNet-18) the statistics are those of the
 * concatenated batch, as FixMatch's implementations do, where the authors run separate forwards.
 */
public final class HplMethod extends SemiSupervisedMethod {

    @Override
    public MethodName name() {
        return MethodName.HPL;
    }

    @Override
    public String description() {
        return "heteroscedastic pseudo-labels: pseudo-labelling weighted by exp(-z)/2, z from an uncertainty learner g"
                + " trained by a bi-level meta step (virtual Adam step of the head); sigma^2 = scale * exp(g),"
                + " averaged over fixed strong views (view input) or of the row (row input), scale fitted on held-out rows";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return SemiSupervisedHyperParameters.HPL;
    }

    @Override
    protected ServedVariance servedVariance(HyperParameters hp) {
        return hp.get(SemiSupervisedHyperParameters.SERVED_VARIANCE);
    }

    @Override
    protected MethodSession open(SessionContext c) {
        return new Session(c);
    }

    private static final class Session implements MethodSession {
        private final SessionContext context;
        private final RegressorNetwork network;
        private final SupervisedMethod.Optimisers optimisers;
        private final ConsistencyBatches batches;
        private final BatchSampler outer;
        private final UncertaintyInput input;
        private final UncertaintyLearner learner;
        private final Adam learnerOptimiser;
        private final LogVarianceGuard guard;
        private final LearnedVariance served;
        private final Engine engine;
        private final double lambda;
        private final double outerWeight;
        private final int period;
        private long metaSteps;
        /** ‖hypergradient‖ / ‖gradient of the λ2 term‖ at the last meta step; NaN until one ran with λ2 > 0. */
        private double hypergradientRatio = Double.NaN;

        Session(SessionContext c) {
            HyperParameters hp = c.hyperParameters();
            this.context = c;
            this.network = c.network();
            this.optimisers = SupervisedMethod.Optimisers.of(c);
            this.batches = new ConsistencyBatches(c);
            // A second, independently shuffled sampler of the same labelled rows (the authors' outer loader).
            this.outer = new BatchSampler(c.data().labelledX().length, hp.get(CommonHyperParameters.BATCH_SIZE), c.random());
            outer.register(c.state(), "sampler.outer");
            this.input = hp.get(SemiSupervisedHyperParameters.UNCERTAINTY_INPUT);
            UncertaintyParts parts = UncertaintyParts.of(c, input);
            this.learner = parts.learner();
            this.learnerOptimiser = parts.optimiser();
            this.guard = parts.guard();
            this.served = parts.served();
            this.engine = c.manager().getEngine();
            this.lambda = hp.get(SemiSupervisedHyperParameters.UNLABELLED_WEIGHT);
            this.outerWeight = hp.get(SemiSupervisedHyperParameters.OUTER_WEIGHT);
            this.period = hp.get(SemiSupervisedHyperParameters.META_PERIOD);
            c.state().counter("hpl.meta_steps", () -> metaSteps, n -> metaSteps = n);
            c.state().counter("hpl.hypergradient_ratio", () -> Double.doubleToRawLongBits(hypergradientRatio),
                    bits -> hypergradientRatio = Double.longBitsToDouble(bits));
        }

        @Override
        public StepResult step(NDManager scratch, long iteration) {
            ConsistencyBatches.Batch batch = batches.next(scratch);
            // The loop's iterations count from 1; the authors' t from 0 with t % 5 == 0 meta-stepping at t = 0.
            if ((iteration - 1) % period == 0) {
                metaStep(scratch, batch);
            }
            NDArray pseudoLabels = network.predict(batch.weak(), true); // grad mode off: detached
            float loss;
            float[] z;
            try (GradientCollector collector = engine.newGradientCollector()) {
                ConsistencyBatches.StudentPredictions p = ConsistencyBatches.student(network, batch);
                NDArray weights;
                NDArray logVariance;
                JniUtils.setGradMode(false); // the weights are constants of the real step
                try {
                    logVariance = learner.forward(input.build(p.strong().stopGradient(), pseudoLabels, batch.weak()));
                    weights = guard.clamp(logVariance).neg().exp().mul(0.5);
                } finally {
                    JniUtils.setGradMode(true);
                }
                NDArray objective = ConsistencyBatches.mse(p.labelled(), batch.targets())
                        .add(ConsistencyBatches.weighted(p.strong().sub(pseudoLabels).square().mul(weights).mean(), lambda));
                collector.backward(objective);
                loss = objective.getFloat();
                z = logVariance.toFloatArray();
            }
            optimisers.step(scratch);
            Map<String, Double> components = new HashMap<>(guard.statistics(z));
            components.put("meta_steps", (double) metaSteps);
            if (!Double.isNaN(hypergradientRatio)) {
                components.put("hypergradient_ratio", hypergradientRatio);
            }
            return new StepResult(loss, components);
        }

        /** One Adam step of g on the closed-form hypergradient; leaves f_θ and the head optimiser untouched. */
        private void metaStep(NDManager scratch, ConsistencyBatches.Batch batch) {
            var data = context.data();
            int[] o = outer.next();
            NDArray outerRows = context.views().weak(scratch, data.labelledX(), o);
            NDArray outerTargets = LabelledBatch.targets(scratch, data.labelledY(), o);
            long nl = batch.labelledRows();
            long nu = batch.weak().getShape().get(0);
            // Grad mode is off: train-mode features, detached, with a ones column for the bias.
            NDArray h = network.features(NDArrays.concat(new NDList(batch.labelled(), batch.weak(), batch.strong(), outerRows)), true);
            h = NDArrays.concat(new NDList(h, scratch.ones(new Shape(h.getShape().get(0), 1))), 1);
            NDArray hl = h.get(new NDIndex(":{}", nl));
            NDArray hw = h.get(new NDIndex("{}:{}", nl, nl + nu));
            NDArray hs = h.get(new NDIndex("{}:{}", nl + nu, nl + 2 * nu));
            NDArray ho = h.get(new NDIndex("{}:", nl + 2 * nu));

            HeadMetaGradient.HeadState head = headState(scratch, optimisers.head());
            NDArray theta = head.theta().reshape(-1, 1);
            NDArray pseudoLabels = hw.matMul(theta).reshape(-1);
            NDArray strong = hs.matMul(theta).reshape(-1);
            NDArray innerInput = input.build(strong, pseudoLabels, batch.weak());
            NDArray z = learner.forward(innerInput);
            HeadMetaGradient.Result r = HeadMetaGradient.compute(head,
                    new HeadMetaGradient.Inputs(hl, batch.targets(), hs, pseudoLabels, ho, outerTargets), guard.clamp(z), lambda);
            NDArray coefficients = r.coefficients().mul(guard.unclamped(z));
            NDArray outerInput = input.build(r.outerPrediction(), outerTargets, outerRows);
            // The surrogate S = Σ c·z − λ2·mean g(u_o) is backpropagated in its two parts, so that the
            // size of the hypergradient against the direct term can be reported (reference runs: about 1e-3).
            try (GradientCollector collector = engine.newGradientCollector()) {
                collector.backward(HeadMetaGradient.hypergradientSurrogate(learner, coefficients, innerInput));
                if (outerWeight != 0) {
                    NDArray hypergradient = learnerGradient(scratch); // a copy: the next backward accumulates in place
                    collector.backward(HeadMetaGradient.outerTerm(learner, outerInput, outerWeight));
                    NDArray direct = learnerGradient(scratch).sub(hypergradient);
                    float[] norms = NDArrays.stack(new NDList(hypergradient.norm(), direct.norm())).toFloatArray();
                    hypergradientRatio = norms[0] / (double) norms[1];
                }
            }
            learnerOptimiser.step(scratch);
            metaSteps++;
        }

        /** g's parameter gradients as one new vector, in the step's scope (grad arrays belong to the job). */
        private NDArray learnerGradient(NDManager scratch) {
            NDList parts = new NDList();
            for (NDArray p : learner.parameters()) {
                NDArray g = p.getGradient();
                g.attach(scratch);
                parts.add(g.reshape(-1));
            }
            return NDArrays.concat(parts);
        }

        /** θ = [w, b] and the head Adam's moments, flattened, as detached arrays of the step's scope. */
        private static HeadMetaGradient.HeadState headState(NDManager scratch, Adam head) {
            return new HeadMetaGradient.HeadState(flat(scratch, head.parameters()), flat(scratch, head.firstMoments()),
                    flat(scratch, head.secondMoments()), head.steps(), head.learningRate(), head.weightDecay());
        }

        private static NDArray flat(NDManager scratch, List<NDArray> arrays) {
            NDList parts = new NDList();
            for (NDArray a : arrays) {
                // Grad mode is off, so the reshaped view carries no graph; it is moved into the step's scope.
                NDArray view = a.reshape(-1);
                view.attach(scratch);
                parts.add(view);
            }
            return NDArrays.concat(parts);
        }

        @Override
        public double[] rawVariance(NDManager scratch, NDArray x) {
            return served.raw(scratch, x);
        }

        @Override
        public VarianceModel variance(double scale) {
            return served.model(scale);
        }
    }
}
