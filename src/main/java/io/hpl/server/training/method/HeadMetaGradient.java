package io.hpl.server.training.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.hpl.server.training.nn.UncertaintyLearner;
import io.hpl.server.training.optim.Adam;

/**
 * HPL's meta step in closed form (docs/algorithm.md §2-§3), for the linear head on detached
 * backbone features. The head is one vector θ = [w, b] and every feature matrix carries a
 * trailing column of ones, so the bias needs no formula of its own.
 *
 * <p>With ω_j = exp(−z_j)/2 the inner gradient is
 * g = (2/B_l)·H_lᵀ(p_l − y_l) + λ·(2/B_u)·H_sᵀ(ω ⊙ r_s) + wd·θ, r_s = p_s − ŷ.
 * The virtual step is one Adam step that continues the head optimiser's moments (step count k+1,
 * as `higher`'s DifferentiableAdam does); its diagonal Jacobian J = dθ'/dg gives the direction
 * ṽ = J ⊙ ∇_θ' L_out, and ∂L_out/∂z_j = c_j = −(λ/B_u)·exp(−z_j)·r_s,j·(H_s,j · ṽ). The φ-gradient
 * of the outer loss is then the gradient of the surrogate Σ_j c_j z_j(φ) (c constant), which is
 * exact, not an approximation: g_φ's inputs are detached, so φ enters θ' only through ω.
 *
 * <p>Everything runs on the arrays' own dtype (float32 in training, float64 in tests); the head
 * optimiser's state is only read. All results belong to the manager of {@code features.labelled}.
 */
public final class HeadMetaGradient {
    /**
     * Below this, √s' is replaced in J's second term: there s' = 0 forces g = 0 (the term is 0/0,
     * and its limit 0), and g/√s' is bounded by 1/√(1−β2) elsewhere, so the change is negligible.
     * Still a normal number in float32.
     */
    private static final double TINY = 1e-30;

    private HeadMetaGradient() {
    }

    /** θ = [w, b] (D+1), the head Adam's moments in that layout, its step count, rate and decay. */
    public record HeadState(NDArray theta, NDArray firstMoment, NDArray secondMoment, long steps,
                            double learningRate, double weightDecay) {
    }

    /** Feature matrices with a trailing ones column, [B, D+1]; targets and pseudo-labels [B]. */
    public record Inputs(NDArray labelled, NDArray labelledTargets, NDArray strong, NDArray pseudoLabels,
                         NDArray outer, NDArray outerTargets) {
    }

    /**
     * {@code coefficients} c_j [B_u]; the outer batch's residual r_o and prediction p_o at θ' [B_o]
     * (g_φ's input for the λ2 term); the inner gradient g and θ' itself (for tests).
     */
    public record Result(NDArray coefficients, NDArray outerResidual, NDArray outerPrediction,
                         NDArray innerGradient, NDArray virtualTheta) {
    }

    /** {@code logVariance} z [B_u] as the inner loss weighs it (already clamped by the caller if it clamps). */
    public static Result compute(HeadState head, Inputs in, NDArray logVariance, double unlabelledWeight) {
        long bl = in.labelled().getShape().get(0);
        long bu = in.strong().getShape().get(0);
        long bo = in.outer().getShape().get(0);
        NDArray theta = head.theta().reshape(-1, 1);

        NDArray labelledResidual = in.labelled().matMul(theta).reshape(-1).sub(in.labelledTargets());
        NDArray strongResidual = in.strong().matMul(theta).reshape(-1).sub(in.pseudoLabels());
        NDArray expNegZ = logVariance.neg().exp();
        // Per-row factors of the two terms' gradients: 2/B_l·(p_l − y_l) and λ·2/B_u·½·exp(−z)·r_s.
        NDArray factors = NDArrays.concat(new NDList(
                labelledResidual.mul(2.0 / bl),
                expNegZ.mul(strongResidual).mul(unlabelledWeight / bu)));
        NDArray gradient = NDArrays.concat(new NDList(in.labelled(), in.strong()))
                .transpose().matMul(factors.reshape(-1, 1)).reshape(-1);
        if (head.weightDecay() != 0) {
            gradient = gradient.add(head.theta().mul(head.weightDecay()));
        }

        long k = head.steps() + 1;
        double c1 = 1 - Math.pow(Adam.BETA1, k);
        double sqrtC2 = Math.sqrt(1 - Math.pow(Adam.BETA2, k));
        double rate = head.learningRate() / c1;
        NDArray m = head.firstMoment().mul(Adam.BETA1).add(gradient.mul(1 - Adam.BETA1));
        NDArray s = head.secondMoment().mul(Adam.BETA2).add(gradient.square().mul(1 - Adam.BETA2));
        NDArray rootS = s.sqrt();
        NDArray denominator = rootS.div(sqrtC2).add(Adam.EPS);
        NDArray virtualTheta = head.theta().sub(m.div(denominator).mul(rate));
        // J = −(α/c1)·[(1−β1)/Dn − m'·(1−β2)·g / (Dn²·√c2·√s')], the second term as a product of
        // bounded factors (m'/Dn, g/√s', (1−β2)/(√c2·Dn)): Dn²·√s' alone underflows in float32.
        NDArray second = m.div(denominator).mul(gradient.div(rootS.maximum(TINY)))
                .mul(denominator.pow(-1).mul((1 - Adam.BETA2) / sqrtC2));
        NDArray jacobian = denominator.pow(-1).mul(1 - Adam.BETA1).sub(second).mul(-rate);

        NDArray outerPrediction = in.outer().matMul(virtualTheta.reshape(-1, 1)).reshape(-1);
        NDArray outerResidual = outerPrediction.sub(in.outerTargets());
        NDArray outerGradient = in.outer().transpose().matMul(outerResidual.reshape(-1, 1)).reshape(-1).mul(2.0 / bo);
        NDArray direction = jacobian.mul(outerGradient);
        NDArray coefficients = in.strong().matMul(direction.reshape(-1, 1)).reshape(-1)
                .mul(strongResidual).mul(expNegZ).mul(-unlabelledWeight / bu);
        return new Result(coefficients, outerResidual, outerPrediction, gradient, virtualTheta);
    }

    /**
     * S(φ) = Σ_j c_j·z_j(φ) − λ2·mean_k g_φ(u_o,k): its φ-gradient is the hypergradient plus the
     * direct gradient of the outer −λ2·mean(z) term (inputs detached, as in the authors' code).
     */
    public static NDArray surrogate(UncertaintyLearner learner, NDArray coefficients, NDArray innerInput,
                                    NDArray outerInput, double outerWeight) {
        NDArray s = hypergradientSurrogate(learner, coefficients, innerInput);
        return outerWeight == 0 ? s : s.add(outerTerm(learner, outerInput, outerWeight));
    }

    /** Σ_j c_j·z_j(φ), c constant: its φ-gradient is the hypergradient through the virtual step. */
    public static NDArray hypergradientSurrogate(UncertaintyLearner learner, NDArray coefficients, NDArray innerInput) {
        return learner.forward(innerInput).mul(coefficients).sum();
    }

    /** −λ2·mean_k g_φ(u_o,k), the outer loss's direct term (UTK/STS in the authors' code). */
    public static NDArray outerTerm(UncertaintyLearner learner, NDArray outerInput, double outerWeight) {
        return ConsistencyBatches.weighted(learner.forward(outerInput), -outerWeight).mean(); // in g's graph
    }
}
