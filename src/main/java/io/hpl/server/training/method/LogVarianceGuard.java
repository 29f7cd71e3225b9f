package io.hpl.server.training.method;

import ai.djl.ndarray.NDArray;
import io.hpl.server.training.NativeArrays;
import io.hpl.server.training.checkpoint.RunState;
import java.util.Map;

/**
 * The one guard on z = log σ² (a deviation from the authors, who have none): weights use
 * max(z, floor), so exp(−z)/2 ≤ exp(−floor)/2. g is an unbounded ReLU MLP; once predictions blow
 * up it can extrapolate to z ≈ −59 (reference runs at λ = 10), weights reach 1e8 and training
 * goes NaN. A clamped z has no gradient, so the meta step gives those rows no coefficient.
 * Never binding in the reference runs at λ = 1 (z ≥ −3.1).
 */
final class LogVarianceGuard {
    private final double floor;
    private double lowestSeen = Double.POSITIVE_INFINITY;
    private double highestSeen = Double.NEGATIVE_INFINITY;

    LogVarianceGuard(double floor) {
        this.floor = floor;
    }

    /** Registers the run's extremes of z (reported in every progress event). */
    void register(RunState state) {
        state.counter("z_guard.lowest_seen", () -> Double.doubleToRawLongBits(lowestSeen),
                bits -> lowestSeen = Double.longBitsToDouble(bits));
        state.counter("z_guard.highest_seen", () -> Double.doubleToRawLongBits(highestSeen),
                bits -> highestSeen = Double.longBitsToDouble(bits));
    }

    /** The floor is a PyTorch-owned operand: in HPL_JOINT the clamp is in the graph, and maximum keeps it for backward. */
    NDArray clamp(NDArray z) {
        return z.maximum(NativeArrays.scalar(z, floor));
    }

    /** 1 where z is above the floor (gradient flows), 0 where clamped. */
    NDArray unclamped(NDArray z) {
        return z.gte(floor).toType(z.getDataType(), false);
    }

    /**
     * Batch statistics of the unclamped z, the share of rows the floor clamped, and the extremes
     * over the run so far (the reference runs report z min / max over training).
     */
    Map<String, Double> statistics(float[] z) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int clamped = 0;
        for (float v : z) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            if (v < floor) {
                clamped++;
            }
        }
        lowestSeen = Math.min(lowestSeen, min);
        highestSeen = Math.max(highestSeen, max);
        return Map.of("z_min", min, "z_mean", sum / z.length, "z_max", max, "z_clamped_share", (double) clamped / z.length,
                "z_min_seen", lowestSeen, "z_max_seen", highestSeen);
    }
}
