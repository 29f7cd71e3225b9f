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
        Map<String, Double> diagnostics) {
}
