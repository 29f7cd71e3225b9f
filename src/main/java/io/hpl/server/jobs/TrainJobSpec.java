package io.hpl.server.jobs;

import io.hpl.server.training.MethodName;
import java.util.Map;

/** A training request as the domain sees it; {@code method} null means "the server picks". */
public record TrainJobSpec(String datasetId, MethodName method, String modelName, Map<String, String> hyperParameters,
                           long seed) {
}
