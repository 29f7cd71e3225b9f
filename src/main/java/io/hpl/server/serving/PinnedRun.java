package io.hpl.server.serving;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hpl.server.export.OnnxModelWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reusable ONNX Runtime tensors for small runs of one row count on one session: the input {@code x}
 * over a direct buffer, and the outputs {@code mean} and {@code variance} pinned to buffers of ours,
 * so a run creates no tensor object. ORT's JNI builds each output it returns by looking its classes
 * and constructors up by name; with the input tensor made per call, that was about a third of a
 * one-row run (docs/benchmark.md, its section on pinned tensors). Used by one thread at a
 * time: {@link OnnxModelSession} keeps one per thread.
 */
final class PinnedRun implements AutoCloseable {
    /** Most input values (rows × width) a pinned run holds: 16 KiB, a few table rows. */
    static final int MAX_VALUES = 4096;

    private final int rows;
    private final FloatBuffer input;
    private final FloatBuffer mean;
    private final FloatBuffer variance;
    private final List<OnnxTensor> tensors = new ArrayList<>(3);
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> outputs = new LinkedHashMap<>();

    /**
     * @param inputShape the graph input's shape for {@code rows} rows; the outputs are [rows], as
     *                   OnnxModelWriter declares them
     */
    PinnedRun(OrtEnvironment env, int rows, long[] inputShape) throws OrtException {
        this.rows = rows;
        long values = 1;
        for (long d : inputShape) {
            values *= d;
        }
        this.input = floats((int) values);
        this.mean = floats(rows);
        this.variance = floats(rows);
        try {
            this.inputs = Map.of(OnnxModelWriter.INPUT, tensor(env, input, inputShape));
            outputs.put(OnnxModelWriter.MEAN, tensor(env, mean, new long[] {rows}));
            outputs.put(OnnxModelWriter.VARIANCE, tensor(env, variance, new long[] {rows}));
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    int rows() {
        return rows;
    }

    /** The input's buffer, cleared, to be filled with rows × width values before {@link #run}. */
    FloatBuffer input() {
        return input.clear();
    }

    /** Runs the filled input and writes each row's mean and σ² at {@code at} onwards. */
    void run(OrtSession session, double[] meanOut, double[] varianceOut, int at) throws OrtException {
        // The result owns nothing here (its outputs are ours); closing it releases only its own handle.
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            for (int i = 0; i < rows; i++) {
                meanOut[at + i] = mean.get(i);
                varianceOut[at + i] = variance.get(i);
            }
        }
    }

    @Override
    public void close() {
        tensors.forEach(OnnxTensor::close);
        tensors.clear();
    }

    private OnnxTensor tensor(OrtEnvironment env, FloatBuffer buffer, long[] shape) throws OrtException {
        // A direct buffer in native order is used by the tensor in place: what we write, ORT reads.
        OnnxTensor t = OnnxTensor.createTensor(env, buffer, shape);
        tensors.add(t);
        return t;
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
