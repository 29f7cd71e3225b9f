package io.hpl.server.serving;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Predictions;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One exported model loaded in ONNX Runtime. {@link #predict} may be called from many threads at
 * once (OrtSession.run is thread-safe). A read-write lock keeps {@link #close} from freeing the
 * native session under a running prediction, which would crash the JVM rather than throw.
 */
public final class OnnxModelSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    /** The shape of one row in {@code x}: [d] for tables, [C, H, W] for images. */
    private final long[] rowShape;
    private final int width;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** Takes ownership of {@code session}, which must have the inputs and outputs OnnxModelWriter writes. */
    public OnnxModelSession(OrtEnvironment env, OrtSession session) throws OrtException {
        this.env = env;
        this.session = session;
        NodeInfo input = session.getInputInfo().get(OnnxModelWriter.INPUT);
        if (input == null || !session.getOutputNames().contains(OnnxModelWriter.MEAN)
                || !session.getOutputNames().contains(OnnxModelWriter.VARIANCE)) {
            session.close();
            throw new IllegalArgumentException("not an hpl-server model: inputs " + session.getInputNames()
                    + ", outputs " + session.getOutputNames());
        }
        long[] shape = ((TensorInfo) input.getInfo()).getShape();
        this.rowShape = Arrays.copyOfRange(shape, 1, shape.length);
        this.width = (int) Arrays.stream(rowShape).reduce(1, (a, b) -> a * b);
    }

    /** Number of encoded features each row must have (C·H·W for an image model). */
    public int inputWidth() {
        return width;
    }

    /** The model's metadata_props: the provenance written at export. */
    public Map<String, String> metadata() throws OrtException {
        return session.getMetadata().getCustomMetadata();
    }

    /**
     * @param rows encoded feature rows, each {@link #inputWidth()} long; for an image model each
     *             row is one image, flat channel-major (CHW), sent to the graph as [N, C, H, W]
     * @throws IllegalArgumentException if a row has another width
     * @throws IllegalStateException after {@link #close()}
     */
    public Predictions predict(float[][] rows) throws OrtException {
        if (rows.length == 0) {
            return new Predictions(new double[0], new double[0]);
        }
        FloatBuffer flat = FloatBuffer.allocate(rows.length * width);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " features, the model takes " + width);
            }
            flat.put(rows[i]);
        }
        flat.flip();
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("model session is closed");
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, flat, inputShape(rows.length));
                    OrtSession.Result result = session.run(Map.of(OnnxModelWriter.INPUT, x))) {
                return new Predictions(doubles(result, OnnxModelWriter.MEAN), doubles(result, OnnxModelWriter.VARIANCE));
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() throws OrtException {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                session.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** [N, d] or [N, C, H, W]: N rows of {@link #rowShape}. */
    private long[] inputShape(int rows) {
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return shape;
    }

    private static double[] doubles(OrtSession.Result result, String name) {
        FloatBuffer values = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        double[] out = new double[values.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
