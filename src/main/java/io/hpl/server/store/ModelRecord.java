package io.hpl.server.store;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.model.ConformalScores;
import io.hpl.server.model.GaussianIntervals;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.Selection;
import java.util.Map;

/**
 * The metadata of one published model version, stored beside its ONNX file as model.json.
 * {@code conformal} holds the calibration rows' normalised scores behind the served intervals;
 * model.json files written before it have none and get Gaussian intervals, which
 * {@code uncertaintyNote} then says. {@code selection} is AUTO's account of its candidates, null
 * for other methods (and in older files). {@code jobId} is the training job that published it (null
 * in older files): a restart finds by it a version published just before a crash whose job record
 * did not yet say SUCCEEDED, instead of training and publishing again.
 */
public record ModelRecord(
        String name,
        int version,
        MethodName method,
        Map<String, String> hyperParameters,
        long seed,
        String datasetId,
        String datasetSha256,
        DatasetSchema schema,
        Metrics calibrationMetrics,
        String createdAt,
        String onnxSha256,
        long onnxSizeBytes,
        String varianceDefinition,
        long labelledRowsUsed,
        long unlabelledRowsUsed,
        long calibrationRows,
        double trainingSeconds,
        ConformalScores conformal,
        String uncertaintyNote,
        Selection selection,
        String jobId) {
    static final String GAUSSIAN_NOTE = "no conformal calibration stored with this model (trained before it):"
            + " intervals are mean +/- z*sigma from the Gaussian sigma^2";

    public ModelRecord {
        if (conformal == null && (uncertaintyNote == null || uncertaintyNote.isEmpty())) {
            uncertaintyNote = GAUSSIAN_NOTE;
        }
    }

    /** Without the publishing job (models not published by a job, and tests). */
    public ModelRecord(String name, int version, MethodName method, Map<String, String> hyperParameters, long seed,
                       String datasetId, String datasetSha256, DatasetSchema schema, Metrics calibrationMetrics,
                       String createdAt, String onnxSha256, long onnxSizeBytes, String varianceDefinition,
                       long labelledRowsUsed, long unlabelledRowsUsed, long calibrationRows, double trainingSeconds,
                       ConformalScores conformal, String uncertaintyNote, Selection selection) {
        this(name, version, method, hyperParameters, seed, datasetId, datasetSha256, schema, calibrationMetrics,
                createdAt, onnxSha256, onnxSizeBytes, varianceDefinition, labelledRowsUsed, unlabelledRowsUsed,
                calibrationRows, trainingSeconds, conformal, uncertaintyNote, selection, null);
    }

    /** Without conformal calibration (Gaussian intervals): the shape of model.json before it. */
    public ModelRecord(String name, int version, MethodName method, Map<String, String> hyperParameters, long seed,
                       String datasetId, String datasetSha256, DatasetSchema schema, Metrics calibrationMetrics,
                       String createdAt, String onnxSha256, long onnxSizeBytes, String varianceDefinition,
                       long labelledRowsUsed, long unlabelledRowsUsed, long calibrationRows, double trainingSeconds) {
        this(name, version, method, hyperParameters, seed, datasetId, datasetSha256, schema, calibrationMetrics,
                createdAt, onnxSha256, onnxSizeBytes, varianceDefinition, labelledRowsUsed, unlabelledRowsUsed,
                calibrationRows, trainingSeconds, null, null, null);
    }

    /** How Predict builds this model's intervals and Evaluate measures their coverage. */
    public IntervalRule intervals() {
        return conformal != null ? conformal : new GaussianIntervals();
    }

    /** The same record under another version and ONNX digest: the store fills these at publish time. */
    public ModelRecord published(int newVersion, String sha256, long size, String created) {
        return new ModelRecord(name, newVersion, method, hyperParameters, seed, datasetId, datasetSha256, schema,
                calibrationMetrics, created, sha256, size, varianceDefinition, labelledRowsUsed, unlabelledRowsUsed,
                calibrationRows, trainingSeconds, conformal, uncertaintyNote, selection, jobId);
    }
}
