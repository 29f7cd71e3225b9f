package io.hpl.server.training;

/** Which σ² a method with a learned per-row σ² serves (hyperparameter served_variance). */
public enum ServedVariance {
    /** The per-row σ² only where it beats a constant σ² on held-out NLL (cross-fitted on the calibration rows). */
    AUTO,
    /** The per-row σ², whatever the comparison says. */
    PER_ROW,
    /** A constant σ², the residual variance on the calibration rows. */
    CONSTANT
}
