package io.hpl.server.oip;

import io.hpl.server.data.Column;
import io.hpl.server.data.ColumnKind;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import io.hpl.server.health.Engines;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.EncodedRows;
import io.hpl.server.serving.FeatureColumns;
import io.hpl.server.serving.LoadedModels;
import io.hpl.server.serving.PredictionService;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelRef;
import io.hpl.server.store.ModelStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol v2 on top of the serving layer, for both transports (gRPC and REST
 * map their messages to {@link InferRequest} and back). A model is our model name, its version our
 * version ("" = the latest). Inputs are one tensor per feature column ([n] or [n, 1]) or the
 * encoded input {@value #ENCODED_INPUT} ([n, d]); outputs are {@code mean} and {@code variance}, and
 * {@code lower}/{@code upper} when an interval is asked for. Validation and encoding are the
 * serving layer's ({@link PredictionService#predictColumns}, {@link PredictionService#predictEncoded}):
 * this class only checks what belongs to the protocol (datatypes, shapes, names of tensors).
 */
@ApplicationScoped
public class OipInference {
    public static final String ENCODED_INPUT = "x";
    public static final String MEAN = "mean";
    public static final String VARIANCE = "variance";
    public static final String LOWER = "lower";
    public static final String UPPER = "upper";
    static final List<String> OUTPUTS = List.of(MEAN, VARIANCE, LOWER, UPPER);
    /** The request parameter that asks for lower and upper (as Predict's interval_level). */
    public static final String INTERVAL_LEVEL = "interval_level";

    private final ModelStore models;
    private final PredictionService predictions;
    private final LoadedModels loaded;
    private final Engines engines;

    public OipInference(ModelStore models, PredictionService predictions, LoadedModels loaded, Engines engines) {
        this.models = models;
        this.predictions = predictions;
        this.loaded = loaded;
        this.engines = engines;
    }

    /** Ready once the engines are up: ONNX Runtime serves every stored model from then on. */
    public boolean serverReady() {
        return engines.ready();
    }

    /**
     * True when the version is stored and its ONNX session is loaded (this loads it, so a probe warms the
     * model); NOT_FOUND for an unknown model or version; false while the engines load.
     */
    public boolean modelReady(String name, String version) {
        ModelRecord model = models.resolve(ModelRef.of(name, parseVersion(version))); // "name@alias" too
        if (!engines.ready()) {
            return false;
        }
        try (LoadedModels.Lease lease = loaded.acquire(model)) {
            return lease.session() != null;
        }
    }

    public ModelMetadata metadata(String name, String version) {
        ModelRef ref = ModelRef.of(name, parseVersion(version)); // "name@alias" too: the version it points to
        ModelRecord model = models.resolve(ref);
        List<String> versions = (version == null || version.isEmpty()) && !ref.hasAlias()
                ? models.list(model.name()).stream().map(r -> Integer.toString(r.version())).toList()
                : List.of(Integer.toString(model.version()));
        DatasetSchema schema = model.schema();
        List<ModelMetadata.TensorSpec> inputs = new ArrayList<>();
        Map<String, String> properties = new LinkedHashMap<>();
        if (schema.isImage()) {
            inputs.add(new ModelMetadata.TensorSpec(ENCODED_INPUT, TensorType.FP32.name(), new long[] {-1,
                    schema.image().channels(), schema.image().height(), schema.image().width()}));
        } else {
            for (Column c : schema.features()) {
                inputs.add(new ModelMetadata.TensorSpec(c.name(),
                        c.kind() == ColumnKind.NUMERIC ? TensorType.FP64.name() : TensorType.BYTES.name(), new long[] {-1}));
            }
            properties.put("encoded_input", ENCODED_INPUT + ": FP32 [-1, " + schema.encodedWidth()
                    + "], instead of the column inputs");
            properties.put("encoded_input_names", String.join(",", schema.encodedNames()));
            List<String> optional = schema.features().stream().filter(Column::hasMissing).map(Column::name).toList();
            if (!optional.isEmpty()) {
                properties.put("optional_inputs", String.join(",", optional));
            }
        }
        List<ModelMetadata.TensorSpec> outputs = OUTPUTS.stream()
                .map(o -> new ModelMetadata.TensorSpec(o, TensorType.FP32.name(), new long[] {-1})).toList();
        properties.put("method", model.method().name());
        properties.put("served_version", Integer.toString(model.version()));
        properties.put("outputs", "mean and variance (sigma^2, squared target units) by default; lower and upper"
                + " with the request parameter " + INTERVAL_LEVEL + " (default " + IntervalRule.DEFAULT_LEVEL + ")");
        return new ModelMetadata(model.name(), versions, "hpl-server_onnx", inputs, outputs, properties);
    }

    public InferResult infer(InferRequest request) {
        int version = parseVersion(request.version());
        List<String> outputs = outputs(request);
        double level = request.intervalLevel() == null ? IntervalRule.DEFAULT_LEVEL
                : IntervalRule.checkedLevel(request.intervalLevel());
        if (request.inputs().isEmpty()) {
            throw HplException.invalid("no inputs: send one tensor per feature column, or the encoded input '"
                    + ENCODED_INPUT + "' (ModelMetadata lists them)");
        }
        PredictionService.Scored scored = isEncoded(request.inputs())
                ? predictions.predictEncoded(request.modelName(), version, encoded(request.inputs()))
                : predictions.predictColumns(request.modelName(), version, columns(request.inputs()));
        return new InferResult(scored.model().name(), scored.model().version(), request.id(),
                results(outputs, scored, level));
    }

    private static List<InferResult.Output> results(List<String> names, PredictionService.Scored scored, double level) {
        Predictions p = scored.predictions();
        IntervalRule rule = scored.model().intervals();
        List<InferResult.Output> out = new ArrayList<>();
        for (String name : names) {
            float[] values = new float[p.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) switch (name) {
                    case MEAN -> p.mean()[i];
                    case VARIANCE -> p.variance()[i];
                    case LOWER -> p.mean()[i] - rule.halfWidth(p.variance()[i], level);
                    default -> p.mean()[i] + rule.halfWidth(p.variance()[i], level);
                };
            }
            out.add(new InferResult.Output(name, values));
        }
        return out;
    }

    /** The requested outputs, or mean and variance (and the bounds when an interval level is given). */
    private static List<String> outputs(InferRequest request) {
        if (request.outputs().isEmpty()) {
            return request.intervalLevel() == null ? List.of(MEAN, VARIANCE) : OUTPUTS;
        }
        Set<String> seen = new HashSet<>();
        for (String name : request.outputs()) {
            if (!OUTPUTS.contains(name)) {
                throw HplException.invalid("unknown output " + EchoedInput.quote(name) + "; the outputs are " + OUTPUTS);
            }
            if (!seen.add(name)) {
                throw HplException.invalid("output " + EchoedInput.quote(name) + " is requested twice");
            }
        }
        return request.outputs();
    }

    /** The protocol's version string: "" (or "0") for the latest, else a positive version number. */
    static int parseVersion(String version) {
        if (version == null || version.isEmpty()) {
            return 0;
        }
        try {
            int v = Integer.parseInt(version);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw HplException.invalid("model version " + EchoedInput.quote(version)
                + " is not a version number: give one like \"3\", or none for the latest");
    }

    private static boolean isEncoded(List<InputTensor> inputs) {
        boolean encoded = inputs.stream().anyMatch(t -> t.name().equals(ENCODED_INPUT));
        if (encoded && inputs.size() > 1) {
            throw HplException.invalid("input '" + ENCODED_INPUT + "' (the encoded rows) comes alone; "
                    + "send either it or one tensor per feature column, not both");
        }
        return encoded;
    }

    private static EncodedRows encoded(List<InputTensor> inputs) {
        InputTensor x = inputs.get(0);
        if (x.type() != TensorType.FP32) {
            throw HplException.invalid("input '" + ENCODED_INPUT + "' must be FP32 (the model's own input type), got "
                    + x.type());
        }
        long[] shape = x.shape();
        if (shape.length < 2) {
            throw HplException.invalid("input '" + ENCODED_INPUT + "' has shape " + java.util.Arrays.toString(shape)
                    + "; it takes [rows, width] (or [rows, channels, height, width] for an image model)");
        }
        checkElementCount(x);
        int rows = (int) shape[0];
        float[] values = new float[x.numbers().length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) x.numbers()[i]; // exact: FP32 values came in as doubles
        }
        return rows == 0 ? new EncodedRows(0, new float[0]) : new EncodedRows(rows, values);
    }

    private static FeatureColumns columns(List<InputTensor> inputs) {
        Map<String, FeatureColumns.Values> columns = new LinkedHashMap<>();
        int rows = -1;
        String first = null;
        for (InputTensor t : inputs) {
            long[] shape = t.shape();
            if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
                throw HplException.invalid("input " + EchoedInput.quote(t.name()) + " has shape "
                        + java.util.Arrays.toString(shape) + "; a column takes [rows] or [rows, 1]");
            }
            checkElementCount(t);
            if (rows >= 0 && shape[0] != rows) {
                throw HplException.invalid("input " + EchoedInput.quote(t.name()) + " has " + shape[0] + " rows, input "
                        + EchoedInput.quote(first) + " has " + rows + ": every column needs one value per row");
            }
            rows = (int) shape[0];
            first = first == null ? t.name() : first;
            FeatureColumns.Values values = t.texts() != null ? new FeatureColumns.Texts(t.texts())
                    : new FeatureColumns.Numbers(t.numbers());
            if (columns.put(t.name(), values) != null) {
                throw HplException.invalid("input " + EchoedInput.quote(t.name()) + " is given twice");
            }
        }
        return new FeatureColumns(rows, columns);
    }

    /** The shape's element count matches the data, and no dimension is negative. */
    private static void checkElementCount(InputTensor t) {
        long count = 1;
        for (long d : t.shape()) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw HplException.invalid("input " + EchoedInput.quote(t.name()) + " has shape "
                        + java.util.Arrays.toString(t.shape()) + "; dimensions must be between 0 and 2^31-1");
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                count = Long.MAX_VALUE; // cannot match the data below
            }
        }
        if (count != t.length()) {
            throw HplException.invalid("input " + EchoedInput.quote(t.name()) + " has shape "
                    + java.util.Arrays.toString(t.shape()) + " (" + count + " values) but carries " + t.length() + " values");
        }
    }
}
