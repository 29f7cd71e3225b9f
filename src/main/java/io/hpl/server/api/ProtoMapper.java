package io.hpl.server.api;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.hpl.server.api.v1.Column;
import io.hpl.server.api.v1.ColumnKind;
import io.hpl.server.api.v1.CoveragePoint;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.HyperParameterSpec;
import io.hpl.server.api.v1.Image;
import io.hpl.server.api.v1.ImageShape;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.MethodInfo;
import io.hpl.server.api.v1.Metrics;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.Schema;
import io.hpl.server.api.v1.TrainProgress;
import io.hpl.server.data.CellValue;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.image.ImageData;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.api.v1.SelectionCandidate;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.Selection;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingProgress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Converts between the API's messages and the domain's records; it checks only the shape of messages (one name per column, equal lengths…), no domain rule. */
public final class ProtoMapper {
    private ProtoMapper() {
    }

    public static DatasetInfo toProto(DatasetRecord r) {
        return DatasetInfo.newBuilder()
                .setId(r.id())
                .setName(r.name())
                .setLabelledRows(r.labelledRows())
                .setUnlabelledRows(r.unlabelledRows())
                .setSchema(toProto(r.schema()))
                .setSha256(r.sha256())
                .setSizeBytes(r.sizeBytes())
                .setCreatedAt(r.createdAt().toString())
                .build();
    }

    public static Schema toProto(DatasetSchema s) {
        Schema.Builder b = Schema.newBuilder().setTargetColumn(s.targetColumn()).addAllIgnoredColumns(s.ignoredColumns());
        for (io.hpl.server.data.Column c : s.features()) {
            b.addFeatures(Column.newBuilder()
                    .setName(c.name())
                    .setKind(c.kind() == io.hpl.server.data.ColumnKind.NUMERIC
                            ? ColumnKind.COLUMN_KIND_NUMERIC : ColumnKind.COLUMN_KIND_CATEGORICAL)
                    .addAllCategories(c.categories())
                    .setHasMissing(c.hasMissing()));
        }
        if (!s.isImage()) {
            b.addAllEncodedInputs(s.encodedNames());
        }
        if (s.isImage()) {
            b.setImage(ImageShape.newBuilder()
                    .setChannels(s.image().channels()).setHeight(s.image().height()).setWidth(s.image().width()));
        }
        return b.build();
    }

    public static final double DEFAULT_INTERVAL_LEVEL = IntervalRule.DEFAULT_LEVEL;

    public static ModelInfo toProto(ModelRecord r) {
        ModelInfo.Builder info = ModelInfo.newBuilder();
        if (r.selection() != null) {
            info.setSelection(toProto(r.selection()));
        }
        if (r.jobId() != null) {
            info.setJobId(r.jobId());
        }
        return info
                .setName(r.name())
                .setVersion(r.version())
                .setMethod(toProto(r.method()))
                .putAllHyperparameters(r.hyperParameters())
                .setSeed(r.seed())
                .setDatasetId(r.datasetId())
                .setDatasetSha256(r.datasetSha256())
                .setSchema(toProto(r.schema()))
                .setCalibrationMetrics(toProto(r.calibrationMetrics()))
                .setCreatedAt(r.createdAt())
                .setOnnxSha256(r.onnxSha256())
                .setOnnxSizeBytes(r.onnxSizeBytes())
                .setVarianceDefinition(r.varianceDefinition())
                .setLabelledRowsUsed(r.labelledRowsUsed())
                .setUnlabelledRowsUsed(r.unlabelledRowsUsed())
                .setCalibrationRows(r.calibrationRows())
                .setTrainingSeconds(r.trainingSeconds())
                .setUncertaintyNote(r.uncertaintyNote())
                .build();
    }

    static io.hpl.server.api.v1.Selection toProto(Selection s) {
        io.hpl.server.api.v1.Selection.Builder out = io.hpl.server.api.v1.Selection.newBuilder()
                .setServed(s.served())
                .setReason(s.reason());
        for (Selection.Candidate c : s.candidates()) {
            out.addCandidates(SelectionCandidate.newBuilder()
                    .setName(c.name())
                    .setMethod(toProto(MethodName.valueOf(c.method())))
                    .setCalibrationMae(c.calibrationMae())
                    .setWeight(c.weight())
                    .setSeconds(c.seconds())
                    .setStatus(c.status()));
        }
        return out.build();
    }

    public static Metrics toProto(io.hpl.server.evaluation.Metrics m) {
        return Metrics.newBuilder()
                .setRows(m.rows())
                .setMae(m.mae())
                .setRmse(m.rmse())
                .setR2(m.r2())
                .setNll(m.nll())
                .setCoverage90(m.coverage90())
                .setSpearmanVarianceAbsError(m.spearmanVarianceAbsError())
                .setIntervalCoverage50(m.intervalCoverage(0.5))
                .setIntervalCoverage80(m.intervalCoverage(0.8))
                .setIntervalCoverage90(m.intervalCoverage(0.9))
                .setIntervalCoverage95(m.intervalCoverage(0.95))
                .addAllReliability(m.reliability().stream()
                        .map(p -> CoveragePoint.newBuilder().setLevel(p.level()).setCoverage(p.coverage()).build())
                        .toList())
                .build();
    }

    /** PredictRequest.interval_level: default 0.9; outside (0, 1) there is no interval to give. */
    public static double intervalLevel(PredictRequest request) {
        if (!request.hasIntervalLevel()) {
            return DEFAULT_INTERVAL_LEVEL;
        }
        return IntervalRule.checkedLevel(request.getIntervalLevel());
    }

    /** As for Predict: the same default and range. */
    public static double intervalLevel(io.hpl.server.api.v1.PredictDatasetRequest request) {
        return request.hasIntervalLevel() ? IntervalRule.checkedLevel(request.getIntervalLevel()) : DEFAULT_INTERVAL_LEVEL;
    }

    public static TrainProgress toProto(String jobId, TrainingProgress p) {
        return TrainProgress.newBuilder()
                .setJobId(jobId)
                .setIteration(p.iteration())
                .setTotalIterations(p.totalIterations())
                .setTrainLoss(p.trainLoss())
                .setValidationMae(p.validationMae())
                .putAllLosses(p.losses())
                .build();
    }

    /** A method as ListMethods shows it, with the hyperparameters that apply to {@code declared}. */
    public static MethodInfo toProto(TrainingMethod m, List<HyperParameter<?>> declared) {
        MethodInfo.Builder b = MethodInfo.newBuilder()
                .setMethod(toProto(m.name()))
                .setDescription(m.description())
                .setAvailable(true);
        for (HyperParameter<?> p : declared) {
            b.addHyperparameters(HyperParameterSpec.newBuilder()
                    .setName(p.name())
                    .setType(p.type())
                    .setDefaultValue(p.defaultText())
                    .setDescription(p.description())
                    .setAllowed(p.allowed())
                    .setAppliesTo(switch (p.appliesTo()) {
                        case TABLES_AND_IMAGES -> "tables and images";
                        case TABLES -> "tables";
                        case IMAGES -> "images";
                    }));
        }
        return b.build();
    }

    public static Method toProto(MethodName name) {
        return Method.valueOf(name.name());
    }

    /** METHOD_UNSPECIFIED → null: the server picks. */
    public static MethodName fromProto(Method method) {
        if (method == Method.UNRECOGNIZED) {
            throw HplException.invalid("method: unknown value; see ListMethods");
        }
        return method == Method.METHOD_UNSPECIFIED ? null : MethodName.valueOf(method.name());
    }

    /** Rows as column → cell, for the encoder; anything but a number, string or null is refused. */
    public static List<Map<String, CellValue>> rows(List<Struct> rows) {
        return java.util.stream.IntStream.range(0, rows.size()).mapToObj(i -> row(i, rows.get(i))).toList();
    }

    /**
     * PredictRequest.columns as the serving layer's columns. Checked here: what belongs to the message
     * (a name per column, each column once, one kind of values, the same length for all); the model's
     * rules (unknown or missing columns, categories, missing values) are the serving layer's.
     */
    public static io.hpl.server.serving.FeatureColumns columns(io.hpl.server.api.v1.FeatureColumns message) {
        if (message.getColumnsCount() == 0) {
            throw HplException.invalid("columns has no columns: send one ColumnValues (name and values) per feature column");
        }
        Map<String, io.hpl.server.serving.FeatureColumns.Values> columns = new java.util.LinkedHashMap<>();
        int rows = -1;
        String first = null;
        for (int c = 0; c < message.getColumnsCount(); c++) {
            io.hpl.server.api.v1.ColumnValues column = message.getColumns(c);
            String name = column.getName();
            if (name.isEmpty()) {
                throw HplException.invalid("columns[" + c + "] has no name: name each column as the model's schema does");
            }
            io.hpl.server.serving.FeatureColumns.Values values = values(column);
            if (rows >= 0 && values.length() != rows) {
                throw HplException.invalid("column " + EchoedInput.quote(name) + " has " + values.length() + " values, column "
                        + EchoedInput.quote(first) + " has " + rows + ": every column needs one value per row");
            }
            if (columns.put(name, values) != null) {
                throw HplException.invalid("column " + EchoedInput.quote(name) + " is given twice");
            }
            rows = values.length();
            first = first == null ? name : first;
        }
        return new io.hpl.server.serving.FeatureColumns(rows, columns);
    }

    /** The one kind of values a column carries, copied out by index (no boxing). */
    private static io.hpl.server.serving.FeatureColumns.Values values(io.hpl.server.api.v1.ColumnValues column) {
        int kinds = (column.getFloatsCount() > 0 ? 1 : 0) + (column.getDoublesCount() > 0 ? 1 : 0)
                + (column.getTextsCount() > 0 ? 1 : 0);
        if (kinds > 1) {
            throw HplException.invalid("column " + EchoedInput.quote(column.getName())
                    + " has values of more than one kind: set one of floats, doubles and texts");
        }
        if (column.getFloatsCount() > 0) {
            float[] values = new float[column.getFloatsCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = column.getFloats(i);
            }
            return new io.hpl.server.serving.FeatureColumns.Floats(values);
        }
        if (column.getDoublesCount() > 0) {
            double[] values = new double[column.getDoublesCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = column.getDoubles(i);
            }
            return new io.hpl.server.serving.FeatureColumns.Numbers(values);
        }
        return new io.hpl.server.serving.FeatureColumns.Texts(column.getTextsList().toArray(String[]::new));
    }

    /** PredictRequest.x as encoded rows; its width is checked against the model by the serving layer. */
    public static io.hpl.server.serving.EncodedRows encodedRows(io.hpl.server.api.v1.EncodedMatrix x) {
        int width = x.getWidth();
        int count = x.getValuesCount();
        if (width <= 0) {
            throw HplException.invalid("x.width is " + width + ": set it to the model's encoded width (the number of"
                    + " Schema.encoded_inputs; channels·height·width for an image model)");
        }
        if (count % width != 0) {
            throw HplException.invalid("x has " + count + " values, not a whole number of rows of width " + width);
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = x.getValues(i);
        }
        return new io.hpl.server.serving.EncodedRows(count / width, values);
    }

    /** Predictions as four packed arrays (the answer to the columns and x forms). */
    public static io.hpl.server.api.v1.PackedPredictions packed(io.hpl.server.model.Predictions p, IntervalRule intervals,
                                                                double level) {
        io.hpl.server.api.v1.PackedPredictions.Builder b = io.hpl.server.api.v1.PackedPredictions.newBuilder();
        for (int i = 0; i < p.size(); i++) {
            double mean = p.mean()[i];
            double halfWidth = intervals.halfWidth(p.variance()[i], level);
            b.addMean(mean).addVariance(p.variance()[i]).addLower(mean - halfWidth).addUpper(mean + halfWidth);
        }
        return b.build();
    }

    /** Images as the client sent them; one with neither bytes nor tensor is refused. */
    public static List<ImageData> images(List<Image> images) {
        return java.util.stream.IntStream.range(0, images.size()).mapToObj(i -> image(i, images.get(i))).toList();
    }

    private static ImageData image(int index, Image image) {
        return switch (image.getDataCase()) {
            case ENCODED -> new ImageData.Encoded(image.getEncoded().toByteArray());
            case TENSOR -> {
                List<Float> values = image.getTensor().getValuesList();
                float[] floats = new float[values.size()];
                for (int i = 0; i < floats.length; i++) {
                    floats[i] = values.get(i);
                }
                yield new ImageData.Tensor(floats);
            }
            default -> throw HplException.invalid("image " + index + ": set either encoded (PNG or JPEG bytes) or tensor");
        };
    }

    private static Map<String, CellValue> row(int index, Struct struct) {
        Map<String, CellValue> cells = new HashMap<>();
        struct.getFieldsMap().forEach((column, value) -> cells.put(column, cell(index, column, value)));
        return cells;
    }

    private static CellValue cell(int row, String column, Value value) {
        return switch (value.getKindCase()) {
            case NUMBER_VALUE -> new CellValue.Number(value.getNumberValue());
            case STRING_VALUE -> CellValue.text(value.getStringValue());
            case NULL_VALUE, KIND_NOT_SET -> CellValue.MISSING;
            default -> throw HplException.invalid("row " + row + ", column " + EchoedInput.quote(column) + ": expected a number or a string, got "
                    + value.getKindCase().name().toLowerCase().replace("_value", ""));
        };
    }
}
