package io.hpl.server.oip;

import java.util.List;

/** The answer to an {@link InferRequest}: the version that served it and one FP32 tensor [n] per output. */
public record InferResult(String modelName, int version, String id, List<Output> outputs) {
    public record Output(String name, float[] values) {
        public long[] shape() {
            return new long[] {values.length};
        }
    }
}
