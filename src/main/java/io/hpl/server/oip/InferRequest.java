package io.hpl.server.oip;

import java.util.List;

/**
 * An inference request of the Open Inference Protocol, whichever transport it came on.
 *
 * @param version       the protocol's model_version: "" for the latest
 * @param intervalLevel the request parameter {@code interval_level}, or null when not given
 * @param outputs       the requested output names; empty for the defaults
 */
public record InferRequest(String modelName, String version, String id, Double intervalLevel,
                           List<InputTensor> inputs, List<String> outputs) {
    public InferRequest {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
