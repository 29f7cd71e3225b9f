package io.hpl.server.store;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.Selection;
import java.util.Map;

/**
 * The metadata of one published model version, stored beside its ONNX file as model.json.
 * {@code selection} is AUTO's account of its candidates, null for other methods (and in older files).
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
        Selection selection) {

    /** The same record under another version and ONNX digest: the store fills these at publish time. */
    public ModelRecord published(int newVersion, String sha256, long size, String created) {
        return new ModelRecord(name, newVersion, method, hyperParameters, seed, datasetId, datasetSha256, schema,
                calibrationMetrics, created, sha256, size, varianceDefinition, labelledRowsUsed, unlabelledRowsUsed,
                calibrationRows, trainingSeconds, selection);
    }
}
