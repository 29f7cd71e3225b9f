package io.hpl.server.model;

/**
 * How a served prediction interval at level α is built from a row's mean μ and σ²: μ ± q(α)·σ.
 * Conformal (the default for models trained since conformal calibration) or Gaussian (models
 * stored before it, which have no calibration scores).
 */
public sealed interface IntervalRule permits ConformalScores, GaussianIntervals {
    /** q(α) for a level in (0, 1); +∞ when the rule cannot promise that level. */
    double multiplier(double level);

    /** Half the interval's width for σ² {@code variance}: q·σ (+∞ stays +∞ even where σ underflowed to 0). */
    default double halfWidth(double variance, double level) {
        double q = multiplier(level);
        return Double.isInfinite(q) ? q : q * Math.sqrt(Math.max(variance, MIN_VARIANCE));
    }

    /** The level served when a request names none (Predict's interval_level, OIP's interval_level parameter). */
    double DEFAULT_LEVEL = 0.9;

    /** The one rule for a requested level: strictly between 0 and 1, else INVALID_ARGUMENT. */
    static double checkedLevel(double level) {
        if (!(level > 0 && level < 1)) {
            throw io.hpl.server.errors.HplException.invalid("interval_level must be strictly between 0 and 1"
                    + " (e.g. 0.9 for a 90% interval), got " + level);
        }
        return level;
    }

    /** The floor every σ² is read with, here and in the metrics (a zero σ would divide by zero). */
    double MIN_VARIANCE = 1e-12;
}
