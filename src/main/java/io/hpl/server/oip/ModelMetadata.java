package io.hpl.server.oip;

import java.util.List;
import java.util.Map;

/** A model's metadata as the protocol states it: versions, input and output tensors, and free-form properties. */
public record ModelMetadata(String name, List<String> versions, String platform, List<TensorSpec> inputs,
                            List<TensorSpec> outputs, Map<String, String> properties) {
    /** One tensor a model takes or gives; -1 in a shape is a dimension of any size (the rows). */
    public record TensorSpec(String name, String datatype, long[] shape) {
    }
}
