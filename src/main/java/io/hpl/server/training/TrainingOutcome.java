package io.hpl.server.training;

import io.hpl.server.evaluation.Metrics;
import io.hpl.server.model.ConformalScores;
import io.hpl.server.model.TrainedModel;
import java.util.Map;

/**
 * What a finished run hands to export: the model, its held-out scores and what it trained on.
 * {@code conformal} and {@code uncertaintyNote} come from {@link UncertaintyCalibration}; null
 * (the short constructor) serves Gaussian intervals.
 */
public record TrainingOutcome(
        TrainedModel model,
        Metrics calibrationMetrics,
        long labelledRowsUsed,
        long unlabelledRowsUsed,
        long calibrationRows,
        double millisPerIteration,
        Map<String, Double> diagnostics,
        ConformalScores conformal,
        String uncertaintyNote,
        Selection selection) {

    /** Without conformal calibration: intervals from the Gaussian σ; nothing selected. */
    public TrainingOutcome(TrainedModel model, Metrics calibrationMetrics, long labelledRowsUsed,
                           long unlabelledRowsUsed, long calibrationRows, double millisPerIteration,
                           Map<String, Double> diagnostics) {
        this(model, calibrationMetrics, labelledRowsUsed, unlabelledRowsUsed, calibrationRows, millisPerIteration,
                diagnostics, null, null, null);
    }

    /** One method's run with its calibrated uncertainty: nothing selected. */
    public TrainingOutcome(TrainedModel model, Metrics calibrationMetrics, long labelledRowsUsed,
                           long unlabelledRowsUsed, long calibrationRows, double millisPerIteration,
                           Map<String, Double> diagnostics, ConformalScores conformal, String uncertaintyNote) {
        this(model, calibrationMetrics, labelledRowsUsed, unlabelledRowsUsed, calibrationRows, millisPerIteration,
                diagnostics, conformal, uncertaintyNote, null);
    }

    /** The same outcome with AUTO's account of what it tried and chose. */
    public TrainingOutcome withSelection(Selection chosen) {
        return new TrainingOutcome(model, calibrationMetrics, labelledRowsUsed, unlabelledRowsUsed, calibrationRows,
                millisPerIteration, diagnostics, conformal, uncertaintyNote, chosen);
    }
}
