package io.hpl.server.oip;

/**
 * One input tensor of an inference request, decoded from either transport: numbers (FP32, FP64,
 * INT32, INT64, as doubles, exact for all of them but INT64 beyond 2^53) or texts (BYTES, UTF-8).
 * Exactly one of {@code numbers} and {@code texts} is set.
 */
public record InputTensor(String name, TensorType type, long[] shape, double[] numbers, String[] texts) {
    public static InputTensor numbers(String name, TensorType type, long[] shape, double[] values) {
        return new InputTensor(name, type, shape, values, null);
    }

    public static InputTensor texts(String name, long[] shape, String[] values) {
        return new InputTensor(name, TensorType.BYTES, shape, null, values);
    }

    public int length() {
        return numbers != null ? numbers.length : texts.length;
    }
}
