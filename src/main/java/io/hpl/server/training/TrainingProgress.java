package io.hpl.server.training;

import java.util.Map;

/** A progress report: the mean training loss since the last report and the held-out MAE now. */
public record TrainingProgress(
        long iteration, long totalIterations, double trainLoss, double validationMae, Map<String, Double> losses) {
}
