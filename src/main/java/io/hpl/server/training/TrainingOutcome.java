package io.hpl.server.training;

import io.hpl.server.evaluation.Metrics;
import io.hpl.server.model.TrainedModel;
import java.util.Map;

/** What a finished run hands to export: the model, its held-out scores and what it trained on. */
public record TrainingOutcome(
        TrainedModel model,
        Metrics calibrationMetrics,
        long labelledRowsUsed,
        long unlabelledRowsUsed,
        long calibrationRows,
        double millisPerIteration,
        Map<String, Double> diagnostics,
        Selection selection) {

    /** A run of one method: nothing was selected. */
    public TrainingOutcome(TrainedModel model, Metrics calibrationMetrics, long labelledRowsUsed, long unlabelledRowsUsed,
                           long calibrationRows, double millisPerIteration, Map<String, Double> diagnostics) {
        this(model, calibrationMetrics, labelledRowsUsed, unlabelledRowsUsed, calibrationRows, millisPerIteration,
                diagnostics, null);
    }

    /** The same outcome with AUTO's account of what it tried and chose. */
    public TrainingOutcome withSelection(Selection chosen) {
        return new TrainingOutcome(model, calibrationMetrics, labelledRowsUsed, unlabelledRowsUsed, calibrationRows,
                millisPerIteration, diagnostics, chosen);
    }
}
