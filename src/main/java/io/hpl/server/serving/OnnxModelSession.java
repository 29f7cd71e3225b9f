package io.hpl.server.serving;

import io.hpl.server.errors.Cancellation;

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
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " features, the model takes " + width);
            }
        }
        double[] mean = new double[rows.length];
        double[] variance = new double[rows.length];
        // Rows are independent in the graph (batch norm runs in inference form), so chunks give the
        // same values as one run, with bounded staging and activation memory.
        int chunk = rowsPerRun();
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("model session is closed");
            }
            for (int from = 0; from < rows.length; from += chunk) {
                if (from > 0) {
                    Cancellation.checkpoint("scoring (at row " + from + " of " + rows.length + ")");
                }
                int to = Math.min(rows.length, from + chunk);
                run(rows, from, to, mean, variance);
            }
        } finally {
            lock.readLock().unlock();
        }
        return new Predictions(mean, variance);
    }

    /**
     * The same for rows packed row-major in one array ({@code rows} × {@link #inputWidth()} values):
     * no per-row array on the way (the tensor path).
     *
     * @throws IllegalArgumentException if {@code values} is not {@code rows} × inputWidth long
     */
    public Predictions predict(float[] values, int rows) throws OrtException {
        if ((long) rows * width != values.length) {
            throw new IllegalArgumentException(values.length + " values are not " + rows + " rows of " + width);
        }
        double[] mean = new double[rows];
        double[] variance = new double[rows];
        int chunk = rowsPerRun();
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("model session is closed");
            }
            for (int from = 0; from < rows; from += chunk) {
                if (from > 0) {
                    Cancellation.checkpoint("scoring (at row " + from + " of " + rows + ")");
                }
                int to = Math.min(rows, from + chunk);
                FloatBuffer flat = InputStaging.buffer((to - from) * width);
                flat.put(values, from * width, (to - from) * width);
                flat.flip();
                run(flat, from, to, mean, variance);
            }
        } finally {
            lock.readLock().unlock();
        }
        return new Predictions(mean, variance);
    }

    /**
     * Most rows in one ORT run: at most {@link #MAX_ROWS_PER_RUN}, and at most what the staging buffer holds.
     * A run of 10,000 rows of a 256-256 MLP keeps 10 MB of activations per layer, past the core's cache;
     * 1,024 rows at a time scored 12% more rows per second with ONNX Runtime alone (docs/benchmark.md,
     * "Serving: batched throughput"), and the per-run overhead (~10 µs) is under 1% of such a run.
     */
    private int rowsPerRun() {
        return Math.max(1, Math.min(MAX_ROWS_PER_RUN, InputStaging.MAX_VALUES / Math.max(1, width)));
    }

    static final int MAX_ROWS_PER_RUN = 1024;

    private void run(float[][] rows, int from, int to, double[] mean, double[] variance) throws OrtException {
        FloatBuffer flat = InputStaging.buffer((to - from) * width);
        for (int i = from; i < to; i++) {
            flat.put(rows[i]);
        }
        flat.flip();
        run(flat, from, to, mean, variance);
    }

    /** Runs the staged rows {@code from}..{@code to} and writes their mean and σ² at those positions. */
    private void run(FloatBuffer flat, int from, int to, double[] mean, double[] variance) throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(env, flat, inputShape(to - from));
                OrtSession.Result result = session.run(Map.of(OnnxModelWriter.INPUT, x))) {
            copy(result, OnnxModelWriter.MEAN, mean, from);
            copy(result, OnnxModelWriter.VARIANCE, variance, from);
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

    private static void copy(OrtSession.Result result, String name, double[] out, int from) throws OrtException {
        FloatBuffer values = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        for (int i = 0; i < values.remaining(); i++) {
            out[from + i] = values.get(i);
        }
    }
}
