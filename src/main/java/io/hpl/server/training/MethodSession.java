package io.hpl.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.VarianceModel;
import java.util.Arrays;

/** The state of one method during one run (optimisers, extra networks) and its step. */
public interface MethodSession {
    /** One optimisation step. Every temporary array goes to {@code scratch}, closed after the step. */
    StepResult step(NDManager scratch, long iteration);

    /**
     * σ² before calibration for standardised rows {@code x}, in standardised target units.
     * The default, a constant 1, makes the calibrated σ² the held-out residual variance.
     */
    default double[] rawVariance(NDManager scratch, NDArray x) {
        double[] ones = new double[Math.toIntExact(x.getShape().get(0))];
        Arrays.fill(ones, 1.0);
        return ones;
    }

    /** The served variance model: raw σ² times {@code scale} (squared target units). */
    default VarianceModel variance(double scale) {
        return new ConstantVariance(scale);
    }
}
