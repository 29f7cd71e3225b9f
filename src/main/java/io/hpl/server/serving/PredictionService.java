package io.hpl.server.serving;

import ai.onnxruntime.OrtException;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.data.CellValue;
import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.data.Table;
import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.ImageBatch;
import io.hpl.server.data.image.ImageData;
import io.hpl.server.data.image.ImageDecoder;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.errors.Cancellation;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.evaluation.RegressionMetrics;
import io.hpl.server.model.Predictions;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelRef;
import io.hpl.server.store.ModelStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Predict and Evaluate: rows are encoded with the model's own schema (images decoded to its
 * image shape), then scored by ONNX Runtime alone.
 */
@ApplicationScoped
public class PredictionService {
    private final ModelStore models;
    private final DatasetStore datasets;
    private final LoadedModels loaded;
    private final int maxRows;
    private final int maxDatasetStreams;
    private final ImageLimits imageLimits;
    private final TableLimits tableLimits;
    private final ModelEncoders encoders = new ModelEncoders();

    public PredictionService(ModelStore models, DatasetStore datasets, LoadedModels loaded, ServerConfig config,
                             ImageLimits imageLimits, TableLimits tableLimits) {
        this.tableLimits = tableLimits;
        this.models = models;
        this.datasets = datasets;
        this.loaded = loaded;
        this.maxRows = config.predict().maxRows();
        this.maxDatasetStreams = config.predict().maxDatasetStreams();
        this.imageLimits = imageLimits;
    }

    /*
     * Each call resolves its model once (ModelStore.resolve: name + version or alias → one version) and
     * scores with that version's session, so the version it answers with is the one that scored. The
     * (name, version) forms take "name@alias" in the name as well.
     */

    /** A scored batch, with the version that scored it. */
    public record Scored(ModelRecord model, Predictions predictions) {
    }

    public record Evaluation(ModelRecord model, Metrics metrics) {
    }

    public Scored predict(String modelName, int version, List<Map<String, CellValue>> rows) {
        return predict(ModelRef.of(modelName, version), rows);
    }

    /**
     * The request's model when it is a table model whose session is already loaded: scoring a few rows
     * of it then takes microseconds and no I/O (the version resolves from the store's caches). False for anything that would fail (a bad
     * name included: the worker path reports it) or load, and empty while the model's batcher is busy:
     * a call that would wait for a batch waits on a worker thread, never on the gRPC event loop.
     */
    public Optional<ModelRecord> warmTableModel(String modelName, int version, String alias) {
        try {
            ModelRecord model = models.resolve(ModelRef.of(modelName, version, alias));
            return !model.schema().isImage() && loaded.isLoaded(model) && !loaded.batchingBusy(model)
                    ? Optional.of(model) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // the worker path reports it
        }
    }

    public Scored predict(ModelRef ref, List<Map<String, CellValue>> rows) {
        checkBatch(rows.size()); // before any I/O
        return score(models.resolve(ref), rows);
    }

    /** Scores rows with an already resolved version (see {@link #warmTableModel}). */
    public Scored predict(ModelRecord model, List<Map<String, CellValue>> rows) {
        checkBatch(rows.size());
        return score(model, rows);
    }

    private Scored score(ModelRecord model, List<Map<String, CellValue>> rows) {
        requireTabular(model);
        FeatureEncoder encoder = encoders.of(model);
        float[][] x = new float[rows.size()][];
        for (int i = 0; i < x.length; i++) {
            checkpointEvery(i, "Predict");
            x[i] = encode(encoder, model, i, rows.get(i));
        }
        return new Scored(model, run(model, x));
    }

    /**
     * Scores rows given column by column (the tensor forms): the same rules as {@link #predict}
     * (one encoder, one unknown-column check, one row limit), without an object per row or per number.
     */
    public Scored predictColumns(String modelName, int version, FeatureColumns columns) {
        return predictColumns(ModelRef.of(modelName, version), columns);
    }

    public Scored predictColumns(ModelRef ref, FeatureColumns columns) {
        checkBatch(columns.rows());
        return scoreColumns(models.resolve(ref), columns);
    }

    /** Scores columns with an already resolved version (see {@link #warmTableModel}). */
    public Scored predictColumns(ModelRecord model, FeatureColumns columns) {
        checkBatch(columns.rows());
        return scoreColumns(model, columns);
    }

    private Scored scoreColumns(ModelRecord model, FeatureColumns columns) {
        requireTabular(model);
        checkColumns("", columns.columns().keySet(), encoders.of(model), model);
        for (io.hpl.server.data.Column column : model.schema().features()) {
            if (!column.hasMissing() && !columns.columns().containsKey(column.name())) {
                throw HplException.invalid("no values for column " + EchoedInput.quote(column.name()) + ": model '"
                        + model.name() + "' takes " + featureNames(model) + ", one value per row each");
            }
        }
        columns.columns().forEach((column, values) -> {
            if (values instanceof FeatureColumns.Texts texts) {
                for (int i = 0; i < texts.values().length; i++) {
                    tableLimits.checkCell("row " + i, column, texts.values()[i]); // before anything parses it
                }
            }
        });
        Cancellation.checkpoint("Predict (before encoding " + columns.rows() + " rows)");
        float[] x = encoders.of(model).encodeColumns(columns.rows(), columns.columns()::get);
        return new Scored(model, run(model, x, columns.rows()));
    }

    /** Scores rows already encoded as the graph's input {@code x}, after checking their width against the model. */
    public Scored predictEncoded(String modelName, int version, EncodedRows x) {
        return predictEncoded(ModelRef.of(modelName, version), x);
    }

    public Scored predictEncoded(ModelRef ref, EncodedRows x) {
        checkBatch(x.rows());
        return scoreEncoded(models.resolve(ref), x);
    }

    /** Scores encoded rows with an already resolved version (see {@link #warmTableModel}). */
    public Scored predictEncoded(ModelRecord model, EncodedRows x) {
        checkBatch(x.rows());
        return scoreEncoded(model, x);
    }

    private Scored scoreEncoded(ModelRecord model, EncodedRows x) {
        int width = model.schema().isImage() ? model.schema().image().values() : model.schema().encodedWidth();
        if (x.width() != width) {
            throw HplException.invalid("x has " + x.width() + " values per row; model '" + model.name() + "' takes " + width
                    + (model.schema().isImage() ? " (an image of " + model.schema().image() + ", channel-major)"
                            : " (its encoded inputs " + model.schema().encodedNames() + ")"));
        }
        return new Scored(model, run(model, x.values(), x.rows()));
    }

    /** Scores labelled rows given inline (each with the target column). */
    public Evaluation evaluateRows(String modelName, int version, List<Map<String, CellValue>> rows) {
        return evaluateRows(ModelRef.of(modelName, version), rows);
    }

    public Evaluation evaluateRows(ModelRef ref, List<Map<String, CellValue>> rows) {
        checkBatch(rows.size());
        ModelRecord model = models.resolve(ref);
        requireTabular(model);
        FeatureEncoder encoder = encoders.of(model);
        float[][] x = new float[rows.size()][];
        double[] y = new double[rows.size()];
        for (int i = 0; i < x.length; i++) {
            checkpointEvery(i, "Evaluate");
            x[i] = encode(encoder, model, i, rows.get(i));
            y[i] = encoder.readTarget("row " + i, rows.get(i)::get);
            if (Double.isNaN(y[i])) {
                throw HplException.invalid("row " + i + ": the target column '" + model.schema().targetColumn()
                        + "' is missing; Evaluate needs labelled rows");
            }
        }
        Predictions p = run(model, x);
        return new Evaluation(model, RegressionMetrics.compute(y, p.mean(), p.variance(), model.intervals()));
    }

    /** Scores images, decoded (or checked, for tensors) to the model's image shape. */
    public Scored predictImages(String modelName, int version, List<ImageData> images, boolean resize) {
        return predictImages(ModelRef.of(modelName, version), images, resize);
    }

    public Scored predictImages(ModelRef ref, List<ImageData> images, boolean resize) {
        checkImageBatch(images.size());
        ModelRecord model = models.resolve(ref);
        return new Scored(model, run(model, imageInputs(model, images, resize)));
    }

    /** Scores labelled images given inline, one finite target each. */
    public Evaluation evaluateImages(String modelName, int version, List<ImageData> images, double[] targets, boolean resize) {
        return evaluateImages(ModelRef.of(modelName, version), images, targets, resize);
    }

    public Evaluation evaluateImages(ModelRef ref, List<ImageData> images, double[] targets, boolean resize) {
        checkImageBatch(images.size());
        if (targets.length != images.size()) {
            throw HplException.invalid(images.size() + " images but " + targets.length + " targets; give one target per image");
        }
        ModelRecord model = models.resolve(ref);
        FeatureEncoder encoder = encoders.of(model);
        for (int i = 0; i < targets.length; i++) {
            CellValue target = new CellValue.Number(targets[i]);
            encoder.readTarget("target " + i, column -> target); // the one rule for targets: finite
        }
        Predictions p = run(model, imageInputs(model, images, resize));
        return new Evaluation(model, RegressionMetrics.compute(targets, p.mean(), p.variance(), model.intervals()));
    }

    private float[][] imageInputs(ModelRecord model, List<ImageData> images, boolean resize) {
        if (!model.schema().isImage()) {
            throw HplException.invalid("model " + EchoedInput.quote(model.name()) + " takes table rows (columns "
                    + model.schema().features().stream().map(io.hpl.server.data.Column::name).toList()
                    + "), not images: send rows");
        }
        return ImageBatch.inputs(images, new ImageDecoder(model.schema().image(), resize, imageLimits), imageLimits);
    }

    private static void requireTabular(ModelRecord model) {
        if (model.schema().isImage()) {
            throw HplException.invalid("model " + EchoedInput.quote(model.name()) + " takes images of " + model.schema().image()
                    + " (channels x height x width), not rows: send images");
        }
    }

    /** Scores the labelled rows of a stored dataset, encoded with the model's schema. */
    public Evaluation evaluateDataset(String modelName, int version, String datasetId) {
        return evaluateDataset(ModelRef.of(modelName, version), datasetId);
    }

    public Evaluation evaluateDataset(ModelRef ref, String datasetId) {
        ModelRecord model = models.resolve(ref);
        Table table = datasets.load(datasetId, model.schema());
        Cancellation.checkpoint("Evaluate on dataset " + EchoedInput.quote(datasetId) + " (after loading it)");
        List<float[]> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < table.rows(); i++) {
            if (!Double.isNaN(table.y()[i])) {
                x.add(table.x()[i]);
                y.add(table.y()[i]);
            }
        }
        if (x.isEmpty()) {
            throw HplException.precondition("dataset " + EchoedInput.quote(datasetId) + " has no labelled rows to evaluate on");
        }
        Predictions p = run(model, x.toArray(float[][]::new));
        return new Evaluation(model, RegressionMetrics.compute(y.stream().mapToDouble(Double::doubleValue).toArray(),
                p.mean(), p.variance(), model.intervals()));
    }

    /** Rows in a PredictDataset message when the request leaves chunk_rows at 0. */
    public static final int DEFAULT_CHUNK_ROWS = 1000;

    private final java.util.concurrent.atomic.AtomicLong datasetChunksRead = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger datasetStreamsOpen = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Opens a stored dataset for scoring a chunk at a time with a model (PredictDataset). Checks
     * everything that can be checked before the first row (chunk size, model, dataset, the dataset's
     * columns against the model's schema, the id column), so bad requests fail before streaming; at most
     * hpl.predict.max-dataset-streams are open at once (RESOURCE_EXHAUSTED past it).
     *
     * @param chunkRows rows per chunk, 0 for {@link #DEFAULT_CHUNK_ROWS}; at most hpl.predict.max-rows
     * @param idColumn  a column whose text comes with each row, or null
     */
    public DatasetScoring openDatasetScoring(io.hpl.server.store.ModelRef ref, String datasetId, int chunkRows, String idColumn,
                                             boolean unlabelledOnly) {
        int rows = chunkRows == 0 ? Math.min(DEFAULT_CHUNK_ROWS, maxRows) : chunkRows;
        if (rows < 0 || rows > maxRows) {
            throw HplException.invalid("chunk_rows " + chunkRows + " is out of range: use 1 to " + maxRows
                    + " (hpl.predict.max-rows), or 0 for " + Math.min(DEFAULT_CHUNK_ROWS, maxRows));
        }
        // Each open stream holds a worker thread while its client reads (flow control): without a bound,
        // slow readers could take the whole pool, and every blocking call with it.
        if (datasetStreamsOpen.incrementAndGet() > maxDatasetStreams) {
            datasetStreamsOpen.decrementAndGet();
            throw HplException.exhausted(maxDatasetStreams + " PredictDataset streams are open on this server"
                    + " (hpl.predict.max-dataset-streams): retry when one has ended");
        }
        try {
            ModelRecord model = models.resolve(ref);
            io.hpl.server.data.RowChunks chunks = datasets.openChunks(datasetId, model.schema(), idColumn, unlabelledOnly);
            return new DatasetScoring(model, chunks, rows, this::run, datasetChunksRead::incrementAndGet,
                    datasetStreamsOpen::decrementAndGet);
        } catch (RuntimeException e) {
            datasetStreamsOpen.decrementAndGet();
            throw e;
        }
    }

    /**
     * Chunks read from stored datasets for PredictDataset since the server started: a test compares it
     * with the messages its client has received to see that the server reads ahead of a slow client
     * only as far as gRPC's flow control lets it.
     */
    public long datasetChunksRead() {
        return datasetChunksRead.get();
    }

    /** PredictDataset streams whose dataset is open now: 0 once every stream has ended, cancelled ones included. */
    public int datasetStreamsOpen() {
        return datasetStreamsOpen.get();
    }

    /** Rows between two looks at the caller's context: cheap enough per look, prompt enough per stop. */
    static final int CHECK_EVERY_ROWS = 256;

    private static void checkpointEvery(int row, String work) {
        if (row % CHECK_EVERY_ROWS == 0) {
            Cancellation.checkpoint(work + " (at row " + row + ")");
        }
    }

    /** Rows packed row-major in one array: no per-row array on the way (the tensor forms). */
    private Predictions run(ModelRecord model, float[] x, int rows) {
        try (LoadedModels.Lease lease = loaded.acquire(model)) {
            return lease.predict(x, rows); // through the model's dynamic batcher, as every other form
        } catch (OrtException e) {
            throw ortFailed(model, e);
        }
    }

    private Predictions run(ModelRecord model, float[][] x) {
        try (LoadedModels.Lease lease = loaded.acquire(model)) { // held until scored: eviction cannot close it
            return lease.predict(x);
        } catch (OrtException e) {
            throw ortFailed(model, e);
        }
    }

    private static HplException ortFailed(ModelRecord model, OrtException e) {
        return new HplException(ErrorKind.INTERNAL, "ONNX Runtime failed on model " + EchoedInput.quote(model.name()) + ": "
                + e.getMessage(), e);
    }

    /** One request row as model inputs, refusing columns the model does not know. */
    private float[] encode(FeatureEncoder encoder, ModelRecord model, int row, Map<String, CellValue> cells) {
        checkColumns("row " + row + ": ", cells.keySet(), encoder, model);
        return encode(encoder, "row " + row, cells::get, cells.keySet());
    }

    /** One row, read through {@code lookup} from the given columns, with the cell-size limit checked first. */
    private float[] encode(FeatureEncoder encoder, String rowLabel, java.util.function.Function<String, CellValue> lookup,
                           Set<String> columns) {
        for (String column : columns) {
            if (lookup.apply(column) instanceof CellValue.Text text) {
                tableLimits.checkCell(rowLabel, column, text.value()); // before anything parses it
            }
        }
        return encoder.encodeRow(rowLabel, lookup);
    }

    /** A column the model does not know is most likely a typo: say so instead of ignoring it. */
    private static void checkColumns(String where, Set<String> columns, FeatureEncoder encoder, ModelRecord model) {
        for (String column : columns) {
            if (!encoder.knowsColumn(column)) {
                throw HplException.invalid(where + "unknown column " + EchoedInput.quote(column) + "; model '" + model.name()
                        + "' takes " + featureNames(model));
            }
        }
    }

    private static List<String> featureNames(ModelRecord model) {
        return model.schema().features().stream().map(io.hpl.server.data.Column::name).toList();
    }

    private void checkBatch(int rows) {
        if (rows == 0) {
            throw HplException.invalid("rows is empty: send at least one row (or, for an image model, images)");
        }
        checkSize(rows, "rows");
    }

    private void checkImageBatch(int images) {
        if (images == 0) {
            throw HplException.invalid("images is empty: send at least one image");
        }
        checkSize(images, "images");
    }

    /** One limit for rows and images alike. */
    private void checkSize(int n, String what) {
        if (n > maxRows) {
            throw HplException.exhausted(n + " " + what + " in one request; the limit is " + maxRows
                    + " (hpl.predict.max-rows): split the batch");
        }
    }
}
