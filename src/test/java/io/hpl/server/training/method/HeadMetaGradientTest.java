package io.hpl.server.training.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.nn.Dense;
import io.hpl.server.training.nn.UncertaintyLearner;
import io.hpl.server.training.optim.Adam;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The closed-form meta step against finite differences of the outer loss through a virtual Adam
 * step written out here in plain double arithmetic (docs/algorithm.md §5), on random data with a
 * non-empty Adam state, head weight decay and the λ2 term.
 */
class HeadMetaGradientTest {
    private static final int D = 6;          // features; θ = [w, b] has D + 1 entries
    private static final int B = 5;          // rows per batch (labelled, unlabelled, outer)
    private static final int HIDDEN = 8;     // g: 2 → 8 → 1
    private static final long STEPS = 37;
    private static final double ALPHA = 0.01;
    private static final double WD = 1e-3;
    private static final double LAMBDA = 1.0;

    private NDManager manager;
    private boolean gradMode;
    /** The dtype the implementation runs in: float64 for the finite-difference checks, float32 as in training. */
    private DataType type = DataType.FLOAT64;

    /** A random problem: features with a ones column, targets, θ, Adam state, g's parameters φ. */
    private static final class Problem {
        final double[][] hl = features(new Random(1));
        final double[][] hw = features(new Random(2));
        final double[][] hs = features(new Random(3));
        final double[][] ho = features(new Random(4));
        final double[] yl = gaussian(new Random(5), B, 1.0);
        final double[] yo = gaussian(new Random(6), B, 1.0);
        final double[] theta = gaussian(new Random(7), D + 1, 0.5);
        final double[] m = gaussian(new Random(8), D + 1, 0.02);
        final double[] s = new double[D + 1];
        final double[] phi = new double[HIDDEN * 2 + HIDDEN + HIDDEN + 1];

        Problem() {
            Random r = new Random(9);
            for (int i = 0; i < s.length; i++) {
                s[i] = 1e-4 + 9e-4 * r.nextDouble(); // positive second moments
            }
            Random p = new Random(10);
            for (int i = 0; i < phi.length; i++) {
                phi[i] = p.nextGaussian() * 0.5;
            }
        }

        double[] pseudoLabels() {
            return matVec(hw, theta);
        }

        /** g's inner input u_j = [p_s − ŷ, p_s] at θ (constant in φ). */
        double[][] innerInput() {
            double[] ps = matVec(hs, theta);
            double[] yhat = pseudoLabels();
            double[][] u = new double[B][];
            for (int j = 0; j < B; j++) {
                u[j] = new double[] {ps[j] - yhat[j], ps[j]};
            }
            return u;
        }
    }

    @BeforeEach
    void setUp() {
        manager = PyTorchEngine.get().newBaseManager();
        gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // as in training: only collectors record graphs
    }

    @AfterEach
    void tearDown() {
        JniUtils.setGradMode(gradMode);
        manager.close();
    }

    @Test
    void closedFormMatchesFiniteDifferencesThroughTheVirtualAdamStep() {
        for (double outerWeight : new double[] {0.1, 0.0}) {
            Problem p = new Problem();
            double[] closed = closedForm(p, outerWeight, false);
            double[] fd = finiteDifferences(p, outerWeight);
            double error = relativeError(closed, fd);
            System.out.printf("hypergradient lambda2=%.1f: |closed - FD| / |FD| = %.3g (|FD| = %.3g)%n",
                    outerWeight, error, norm(fd));
            assertTrue(error <= 1e-6, "relative error " + error);
        }
    }

    @Test
    void theSgdFormIsNotWhatIsImplemented() {
        Problem p = new Problem();
        double[] fd = finiteDifferences(p, 0.0);
        double implemented = relativeError(closedForm(p, 0.0, false), fd);
        double sgd = relativeError(closedForm(p, 0.0, true), fd);
        double sgdWithOuter = relativeError(closedForm(p, 0.1, true), finiteDifferences(p, 0.1));
        System.out.printf("hypergradient lambda2=0: implemented %.3g, SGD form %.3g; lambda2=0.1: SGD form %.3g%n",
                implemented, sgd, sgdWithOuter);
        assertTrue(implemented <= 1e-6, "implemented " + implemented);
        assertTrue(sgd > 0.3, "the SGD form should be far off, relative error " + sgd);
    }

    /** The same meta step in float32, as training runs it, against float64. */
    @Test
    void float32MatchesFloat64() {
        for (double outerWeight : new double[] {0.1, 0.0}) {
            Problem p = new Problem();
            double[] exact = closedForm(p, outerWeight, false);
            type = DataType.FLOAT32;
            double[] single = closedForm(p, outerWeight, false);
            type = DataType.FLOAT64;
            double error = relativeError(single, exact);
            System.out.printf("hypergradient lambda2=%.1f: |float32 - float64| / |float64| = %.3g%n", outerWeight, error);
            assertTrue(error <= 1e-5, "relative error " + error);
        }
    }

    /** The virtual step is exactly the head Adam's next real step; the moments are only read. */
    @Test
    void virtualStepContinuesTheHeadOptimiserState() {
        Problem p = new Problem();
        NDArray w = manager.create(java.util.Arrays.copyOf(p.theta, D), new Shape(1, D));
        NDArray b = manager.create(new double[] {p.theta[D]}, new Shape(1));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        Adam adam = new Adam(manager, List.of(w, b), ALPHA, WD);
        Random random = new Random(11);
        for (int i = 0; i < 3; i++) { // a non-empty state from real steps
            setGradient(w, b, gaussian(random, D + 1, 1.0));
            try (NDManager scratch = manager.newSubManager()) {
                adam.step(scratch);
            }
        }
        double[] mBefore = flat(adam.firstMoments()).toDoubleArray();
        double[] sBefore = flat(adam.secondMoments()).toDoubleArray();
        double[] thetaBefore = flat(adam.parameters()).toDoubleArray();

        HeadMetaGradient.Result r = HeadMetaGradient.compute(
                new HeadMetaGradient.HeadState(flat(adam.parameters()), flat(adam.firstMoments()),
                        flat(adam.secondMoments()), adam.steps(), adam.learningRate(), adam.weightDecay()),
                inputs(p), manager.create(gaussian(new Random(12), B, 0.3)), LAMBDA);
        assertArrayEquals(mBefore, flat(adam.firstMoments()).toDoubleArray(), 0.0);
        assertArrayEquals(sBefore, flat(adam.secondMoments()).toDoubleArray(), 0.0);
        double[] g = r.innerGradient().toDoubleArray();
        double[] virtual = r.virtualTheta().toDoubleArray();

        // PyTorch's Adam by hand, from the state before, with the same gradient (decay included in g).
        long k = adam.steps() + 1;
        double[] expected = new double[D + 1];
        for (int i = 0; i <= D; i++) {
            double m = 0.9 * mBefore[i] + 0.1 * g[i];
            double v = 0.999 * sBefore[i] + 0.001 * g[i] * g[i];
            double denominator = Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.999, k)) + 1e-8;
            expected[i] = thetaBefore[i] - ALPHA / (1 - Math.pow(0.9, k)) * m / denominator;
        }
        assertArrayEquals(expected, virtual, 1e-14);

        // The real step with that gradient lands where the virtual one did (Adam adds the decay itself).
        double[] lossGradient = new double[D + 1];
        for (int i = 0; i <= D; i++) {
            lossGradient[i] = g[i] - WD * thetaBefore[i];
        }
        setGradient(w, b, lossGradient);
        try (NDManager scratch = manager.newSubManager()) {
            adam.step(scratch);
        }
        assertEquals(4, adam.steps());
        // The real step is DJL's fused native update, which takes its rates and decay as float32: the
        // update agrees to 1e-5 of its size (measured 3.4e-6), some 1e-9 of the weights: below what
        // float32 training resolves.
        double largestUpdate = 0;
        for (int i = 0; i <= D; i++) {
            largestUpdate = Math.max(largestUpdate, Math.abs(expected[i] - thetaBefore[i]));
        }
        assertArrayEquals(expected, flat(adam.parameters()).toDoubleArray(), 1e-5 * largestUpdate);
    }

    // ---- the implementation's path: HeadMetaGradient + the surrogate's backprop through g (float64) ----

    private double[] closedForm(Problem p, double outerWeight, boolean sgdForm) {
        UncertaintyLearner learner = learner(p.phi);
        NDArray u = matrix(p.innerInput());
        NDArray z = learner.forward(u);
        HeadMetaGradient.Result r = HeadMetaGradient.compute(headState(p), inputs(p), z, LAMBDA);
        NDArray coefficients = sgdForm ? arr(sgdCoefficients(p, toDoubles(z), r)) : r.coefficients();
        NDArray outerInput = UncertaintyInput.VIEW.build(r.outerPrediction(), arr(p.yo), null);
        try (GradientCollector collector = PyTorchEngine.get().newGradientCollector()) {
            collector.backward(HeadMetaGradient.surrogate(learner, coefficients, u, outerInput, outerWeight));
        }
        NDList grads = new NDList();
        learner.parameters().forEach(a -> grads.add(a.getGradient().reshape(-1)));
        return toDoubles(NDArrays.concat(grads));
    }

    private NDArray arr(double[] values) {
        return manager.create(values).toType(type, false);
    }

    private static double[] toDoubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** c_j with the SGD direction −α·v in place of J ⊙ v (v = ∇_θ' L_out at the Adam θ'). */
    private static double[] sgdCoefficients(Problem p, double[] z, HeadMetaGradient.Result r) {
        double[] ro = toDoubles(r.outerResidual());
        double[] v = new double[D + 1];
        for (int k = 0; k < B; k++) {
            for (int i = 0; i <= D; i++) {
                v[i] += 2.0 / B * p.ho[k][i] * ro[k];
            }
        }
        double[] ps = matVec(p.hs, p.theta);
        double[] yhat = p.pseudoLabels();
        double[] c = new double[B];
        for (int j = 0; j < B; j++) {
            double dot = 0;
            for (int i = 0; i <= D; i++) {
                dot += p.hs[j][i] * -ALPHA * v[i];
            }
            c[j] = -LAMBDA / B * Math.exp(-z[j]) * (ps[j] - yhat[j]) * dot;
        }
        return c;
    }

    private HeadMetaGradient.HeadState headState(Problem p) {
        return new HeadMetaGradient.HeadState(arr(p.theta), arr(p.m), arr(p.s), STEPS, ALPHA, WD);
    }

    private HeadMetaGradient.Inputs inputs(Problem p) {
        return new HeadMetaGradient.Inputs(matrix(p.hl), arr(p.yl), matrix(p.hs), arr(p.pseudoLabels()),
                matrix(p.ho), arr(p.yo));
    }

    private UncertaintyLearner learner(double[] phi) {
        int o = 0;
        NDArray w1 = arr(java.util.Arrays.copyOfRange(phi, o, o += 2 * HIDDEN)).reshape(HIDDEN, 2);
        NDArray b1 = arr(java.util.Arrays.copyOfRange(phi, o, o += HIDDEN));
        NDArray w2 = arr(java.util.Arrays.copyOfRange(phi, o, o += HIDDEN)).reshape(1, HIDDEN);
        NDArray b2 = arr(java.util.Arrays.copyOfRange(phi, o, o + 1));
        return UncertaintyLearner.of(Dense.of(w1, b1), Dense.of(w2, b2));
    }

    // ---- the reference: the whole meta step in plain doubles, differentiated numerically ----

    private static double[] finiteDifferences(Problem p, double outerWeight) {
        double[][] outerInput = outerInput(p, p.phi); // detached: fixed at the unperturbed φ
        double h = 1e-5;
        double[] grad = new double[p.phi.length];
        for (int i = 0; i < grad.length; i++) {
            double[] plus = p.phi.clone();
            double[] minus = p.phi.clone();
            plus[i] += h;
            minus[i] -= h;
            grad[i] = (outerLoss(p, plus, outerWeight, outerInput) - outerLoss(p, minus, outerWeight, outerInput)) / (2 * h);
        }
        return grad;
    }

    /** L_out(φ) = mean(r_o(θ'(φ))²) − λ2·mean g_φ(u_o), u_o held fixed. */
    private static double outerLoss(Problem p, double[] phi, double outerWeight, double[][] outerInput) {
        double[] thetaPrime = virtualStep(p, phi);
        double[] po = matVec(p.ho, thetaPrime);
        double loss = 0;
        for (int k = 0; k < B; k++) {
            loss += (po[k] - p.yo[k]) * (po[k] - p.yo[k]) / B;
        }
        for (double[] u : outerInput) {
            loss -= outerWeight * g(phi, u) / B;
        }
        return loss;
    }

    private static double[][] outerInput(Problem p, double[] phi) {
        double[] po = matVec(p.ho, virtualStep(p, phi));
        double[][] u = new double[B][];
        for (int k = 0; k < B; k++) {
            u[k] = new double[] {po[k] - p.yo[k], po[k]};
        }
        return u;
    }

    /** The inner loss's head gradient at θ, then one Adam step continuing (m, s, 37), written plainly. */
    private static double[] virtualStep(Problem p, double[] phi) {
        double[] pl = matVec(p.hl, p.theta);
        double[] ps = matVec(p.hs, p.theta);
        double[] yhat = p.pseudoLabels();
        double[][] u = p.innerInput();
        double[] grad = new double[D + 1];
        for (int i = 0; i <= D; i++) {
            double gi = WD * p.theta[i];
            for (int j = 0; j < B; j++) {
                gi += 2.0 / B * (pl[j] - p.yl[j]) * p.hl[j][i];
                double omega = Math.exp(-g(phi, u[j])) / 2;
                gi += LAMBDA * 2.0 / B * omega * (ps[j] - yhat[j]) * p.hs[j][i];
            }
            grad[i] = gi;
        }
        long k = STEPS + 1;
        double[] out = new double[D + 1];
        for (int i = 0; i <= D; i++) {
            double m = 0.9 * p.m[i] + 0.1 * grad[i];
            double s = 0.999 * p.s[i] + 0.001 * grad[i] * grad[i];
            double denominator = Math.sqrt(s) / Math.sqrt(1 - Math.pow(0.999, k)) + 1e-8;
            out[i] = p.theta[i] - ALPHA / (1 - Math.pow(0.9, k)) * m / denominator;
        }
        return out;
    }

    /** g_φ(u) = w2·relu(W1·u + b1) + b2, φ laid out as the learner's parameters: W1, b1, w2, b2. */
    private static double g(double[] phi, double[] u) {
        double out = phi[4 * HIDDEN];
        for (int h = 0; h < HIDDEN; h++) {
            double a = phi[2 * h] * u[0] + phi[2 * h + 1] * u[1] + phi[2 * HIDDEN + h];
            out += phi[3 * HIDDEN + h] * Math.max(a, 0);
        }
        return out;
    }

    // ---- helpers ----

    private void setGradient(NDArray w, NDArray b, double[] gradient) {
        NDArray gw = manager.create(java.util.Arrays.copyOf(gradient, D), new Shape(1, D));
        NDArray gb = manager.create(new double[] {gradient[D]}, new Shape(1));
        JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) w);
        JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) b);
        try (GradientCollector collector = PyTorchEngine.get().newGradientCollector()) {
            collector.backward(w.mul(gw).sum().add(b.mul(gb).sum()));
        }
    }

    private NDArray flat(List<NDArray> arrays) {
        NDList parts = new NDList();
        arrays.forEach(a -> parts.add(a.stopGradient().reshape(-1)));
        return NDArrays.concat(parts);
    }

    private NDArray matrix(double[][] rows) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new Shape(rows.length, rows[0].length)).toType(type, false);
    }

    private static double[][] features(Random random) {
        double[][] h = new double[B][D + 1];
        for (double[] row : h) {
            for (int i = 0; i < D; i++) {
                row[i] = random.nextGaussian();
            }
            row[D] = 1.0;
        }
        return h;
    }

    private static double[] gaussian(Random random, int n, double std) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian() * std;
        }
        return v;
    }

    private static double[] matVec(double[][] a, double[] x) {
        double[] out = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            for (int i = 0; i < x.length; i++) {
                out[r] += a[r][i] * x[i];
            }
        }
        return out;
    }

    private static double relativeError(double[] a, double[] b) {
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(diff) / norm(b);
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
