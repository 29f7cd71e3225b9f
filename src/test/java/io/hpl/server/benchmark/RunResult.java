package io.hpl.server.benchmark;

import io.hpl.server.evaluation.Metrics;
import java.util.Map;

/** One (dataset, γ, seed, variant) run: test-row metrics from the served ONNX graph, and its speed. */
record RunResult(String dataset, double gamma, int seed, String variant, Metrics test, double millisPerIteration,
                 Map<String, Double> diagnostics) {
}
