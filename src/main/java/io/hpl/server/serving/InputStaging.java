package io.hpl.server.serving;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One reused direct buffer per thread for ONNX Runtime inputs. ORT's Java API copies a heap
 * buffer into a fresh direct buffer per call, which only the garbage collector frees: with a
 * pre-touched heap and little garbage, resident size grew by the input's size on every Predict
 * (3 MB per 1,000 small images). A direct buffer is used by the tensor in place instead; it is
 * filled, run and released before the next call on the same thread, and it never grows past
 * {@link #MAX_VALUES}, because {@link OnnxModelSession} runs larger batches in chunks.
 */
final class InputStaging {
    /** 2^21 floats (8 MiB): 2,675 rows of a 28×28 image, any tabular batch the limits allow. */
    static final int MAX_VALUES = 1 << 21;

    private static final ThreadLocal<FloatBuffer> BUFFER = ThreadLocal.withInitial(() -> allocate(0));

    private InputStaging() {
    }

    /** This thread's buffer, cleared, with room for at least {@code values} floats (at most MAX_VALUES). */
    static FloatBuffer buffer(int values) {
        if (values > MAX_VALUES) {
            throw new IllegalArgumentException(values + " values in one run; the staging limit is " + MAX_VALUES);
        }
        FloatBuffer buffer = BUFFER.get();
        if (buffer.capacity() < values) {
            buffer = allocate(Math.min(MAX_VALUES, Math.max(values, 2 * buffer.capacity())));
            BUFFER.set(buffer);
        }
        buffer.clear();
        return buffer;
    }

    private static FloatBuffer allocate(int values) {
        return ByteBuffer.allocateDirect(values * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
