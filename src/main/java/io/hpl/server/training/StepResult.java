package io.hpl.server.training;

import java.util.Map;

/** The objective of one step (standardised units) and its named parts. */
public record StepResult(double loss, Map<String, Double> components) {
    public static StepResult of(double loss) {
        return new StepResult(loss, Map.of());
    }
}
