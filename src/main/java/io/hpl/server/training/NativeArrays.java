package io.hpl.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies per-step Java arrays (batches, targets) into arrays that PyTorch owns. DJL's
 * {@code create(float[])} wraps a fresh direct ByteBuffer that only the garbage collector frees, so
 * thousands of steps grow native memory until a GC happens to run. Here the bytes go through one
 * reused buffer per thread and are cloned into PyTorch's allocator, which closing the step frees.
 */
public final class NativeArrays {
    private static final ThreadLocal<ByteBuffer> STAGING = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

    private NativeArrays() {
    }

    public static NDArray copyOf(NDManager manager, float[] data, Shape shape) {
        int bytes = data.length * Float.BYTES;
        ByteBuffer buffer = STAGING.get();
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(Math.max(bytes, 2 * buffer.capacity())).order(ByteOrder.nativeOrder());
            STAGING.set(buffer);
        }
        buffer.clear();
        buffer.asFloatBuffer().put(data);
        buffer.limit(bytes);
        try (NDArray view = manager.create(buffer, shape, DataType.FLOAT32)) { // shares the staging bytes
            return view.duplicate(); // a copy in PyTorch's own memory, before the buffer is reused
        }
    }

    /**
     * {@code value} as a 0-dim array of {@code like}'s dtype, in its manager and in PyTorch's own
     * memory: the operand for constants in a loss. DJL's Number overloads ({@code mul(0.5f)},
     * {@code maximum(floor)}) wrap the constant in a Java direct buffer and close it at once, but
     * autograd keeps mul's and maximum's operands for the backward pass: a garbage collection in
     * between frees that buffer under the graph, and the backward reads freed memory (a rare,
     * GC-timed wrong gradient). A float64 value stays exact ({@code full} takes a float).
     */
    public static NDArray scalar(NDArray like, double value) {
        NDManager manager = like.getManager();
        if (like.getDataType() == DataType.FLOAT64) {
            try (NDArray javaBacked = manager.create(value)) {
                return javaBacked.duplicate();
            }
        }
        return manager.full(new Shape(), (float) value, like.getDataType());
    }
}
