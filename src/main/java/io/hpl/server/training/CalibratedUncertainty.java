package io.hpl.server.training;

import io.hpl.server.evaluation.Metrics;
import io.hpl.server.model.ConformalScores;
import io.hpl.server.model.VarianceModel;

/**
 * The served uncertainty of a model, fitted on held-out calibration rows by {@link UncertaintyCalibration}.
 *
 * @param variance            the served σ² model (a ConstantVariance when the per-row σ² did not earn its place)
 * @param calibrationVariance the served σ² on the calibration rows, in their order
 * @param metrics             the calibration rows' metrics with the served σ² and conformal intervals
 * @param conformal           the calibration rows' normalised scores |y − μ|/σ, for intervals at any level
 * @param perRow              whether the served σ² varies per row
 * @param note                one line for ModelInfo: what is served and why
 */
public record CalibratedUncertainty(
        VarianceModel variance,
        double[] calibrationVariance,
        Metrics metrics,
        ConformalScores conformal,
        boolean perRow,
        String note) {
}
