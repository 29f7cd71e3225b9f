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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One exported model loaded in ONNX Runtime. {@link #predict} may be called from many threads at
 * once (OrtSession.run is thread-safe); runs of a few rows reuse their thread's {@link PinnedRun}.
 * A read-write lock keeps {@link #close} from freeing the native session (or a pinned tensor) under a
 * running prediction, which would crash the JVM rather than throw.
 */
public final class OnnxModelSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    /** The shape of one row in {@code x}: [d] for tables, [C, H, W] for images. */
    private final long[] rowShape;
    private final int width;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;
    /** Whether small runs may use {@link PinnedRun}s: both outputs are float [N], as OnnxModelWriter writes them. */
    private final boolean pinnable;
    /** Each thread's pinned tensors for the row count it last ran (see {@link #pinnedRun}). */
    private final ThreadLocal<PinnedRun> pinned = new ThreadLocal<>();
    /** Every thread's, so that {@link #close} releases them all. */
    private final Set<PinnedRun> pinnedRuns = ConcurrentHashMap.newKeySet();

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
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        this.pinnable = isFloatRows(outputs.get(OnnxModelWriter.MEAN)) && isFloatRows(outputs.get(OnnxModelWriter.VARIANCE));
    }

    private static boolean isFloatRows(NodeInfo info) {
        return info.getInfo() instanceof TensorInfo t && t.type == ai.onnxruntime.OnnxJavaType.FLOAT
                && t.getShape().length == 1 && t.getShape()[0] < 0;
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
                int first = from;
                int to = Math.min(rows.length, from + chunk);
                run(from, to, in -> {
                    for (int i = first; i < to; i++) {
                        in.put(rows[i]);
                    }
                }, mean, variance);
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
                int first = from;
                int to = Math.min(rows, from + chunk);
                run(from, to, in -> in.put(values, first * width, (to - first) * width), mean, variance);
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

    /**
     * Runs rows {@code from}..{@code to}, whose values {@code fill} puts into the buffer it is given,
     * and writes their mean and σ² at those positions. A few rows go through this thread's pinned
     * tensors; more, through a fresh input tensor over this thread's staging buffer.
     */
    private void run(int from, int to, Consumer<FloatBuffer> fill, double[] mean, double[] variance) throws OrtException {
        int rows = to - from;
        PinnedRun run = pinnable && (long) rows * width <= PinnedRun.MAX_VALUES ? pinnedRun(rows) : null;
        if (run != null) {
            fill.accept(run.input());
            run.run(session, mean, variance, from);
            return;
        }
        FloatBuffer flat = InputStaging.buffer(rows * width);
        fill.accept(flat);
        flat.flip();
        try (OnnxTensor x = OnnxTensor.createTensor(env, flat, inputShape(rows));
                OrtSession.Result result = session.run(Map.of(OnnxModelWriter.INPUT, x))) {
            copy(result, OnnxModelWriter.MEAN, mean, from);
            copy(result, OnnxModelWriter.VARIANCE, variance, from);
        }
    }

    /** Most threads that get pinned tensors on one session; others run unpinned. */
    static final int MAX_PINNED_THREADS = 64;

    /**
     * This thread's pinned tensors for {@code rows} rows, or null when {@link #MAX_PINNED_THREADS}
     * threads have theirs. A thread keeps one set, for the row count it last ran: a server answering
     * one-row calls reuses it on every call. The bound keeps a session's sets to a fixed size even as
     * pools replace their threads (a dead thread's set is released only with the session). Called
     * under the read lock, so {@link #close} cannot release them meanwhile.
     */
    private PinnedRun pinnedRun(int rows) throws OrtException {
        PinnedRun run = pinned.get();
        if (run != null && run.rows() == rows) {
            return run;
        }
        if (run == null && pinnedRuns.size() >= MAX_PINNED_THREADS) {
            return null; // racing threads may pass this together: a few over the bound, never without one
        }
        if (run != null) {
            pinnedRuns.remove(run);
            run.close();
        }
        run = new PinnedRun(env, rows, inputShape(rows));
        pinnedRuns.add(run);
        pinned.set(run);
        return run;
    }

    /** Pinned tensor sets held by threads now (for tests: bounded by threads, not by calls). */
    int pinnedRunCount() {
        return pinnedRuns.size();
    }

    @Override
    public void close() throws OrtException {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                pinnedRuns.forEach(PinnedRun::close); // no run holds them: this is the write lock
                pinnedRuns.clear();
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
