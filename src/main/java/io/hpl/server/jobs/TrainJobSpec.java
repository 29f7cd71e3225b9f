package io.hpl.server.jobs;

import io.hpl.server.training.MethodName;
import java.util.Map;

/**
 * A training request as the domain sees it; {@code method} null means "the server picks".
 * {@code promote}: see {@link io.hpl.server.store.ModelStore#publish(io.hpl.server.store.ModelRecord, byte[], boolean)}.
 */
public record TrainJobSpec(String datasetId, MethodName method, String modelName, Map<String, String> hyperParameters,
                           long seed, boolean promote) {

    public TrainJobSpec(String datasetId, MethodName method, String modelName, Map<String, String> hyperParameters, long seed) {
        this(datasetId, method, modelName, hyperParameters, seed, false);
    }
}
