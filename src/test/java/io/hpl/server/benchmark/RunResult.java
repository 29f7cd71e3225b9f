package io.hpl.server.benchmark;

import io.hpl.server.evaluation.Metrics;
import java.util.Map;
import java.util.SortedMap;

/**
 * One (dataset, γ, seed, variant) run: test-row metrics from the served ONNX graph, its speed, and
 * the JVM's resident size (KB) at each progress event, by iteration.
 */
record RunResult(String dataset, double gamma, int seed, String variant, Metrics test, double millisPerIteration,
                 Map<String, Double> diagnostics, SortedMap<Long, Long> residentKb) {
}
