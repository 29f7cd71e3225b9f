package io.hpl.server.model;

import io.hpl.server.data.DatasetSchema;

/**
 * Everything needed to compute mean and σ² for a row, free of any engine: the training side
 * produces it from DJL arrays, the export side turns it into one ONNX graph.
 * mean(x) = target.mean + target.std · regressor(features.standardise(x)), a NaN input imputed
 * first when {@link #imputesMissing()}.
 */
public record TrainedModel(
        DatasetSchema schema,
        Standardizer features,
        Regressor regressor,
        TargetScale target,
        VarianceModel variance) {
    public TrainedModel {
        if (features.width() != schema.encodedWidth() || regressor.inputs() != schema.encodedWidth()) {
            throw new IllegalArgumentException("schema width " + schema.encodedWidth() + ", standardizer "
                    + features.width() + ", regressor " + regressor.inputs() + " do not agree");
        }
        if (regressor.outputs() != 1) {
            throw new IllegalArgumentException("the regressor must have one output");
        }
    }

    /**
     * True when inputs may be missing (NaN): some column had missing values in the training
     * data. The forward then imputes before standardising; other models' graphs stay as they were.
     */
    public boolean imputesMissing() {
        return schema.hasMissingValues();
    }
}
