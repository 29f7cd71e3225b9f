package io.hpl.server.export;

import static io.hpl.server.export.OnnxGraphBuilder.floatTensor;
import static io.hpl.server.export.OnnxGraphBuilder.intAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.intsAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.tensorAttribute;

import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.export.onnx.ModelProto;
import io.hpl.server.export.onnx.OperatorSetIdProto;
import io.hpl.server.export.onnx.StringStringEntryProto;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.FixedViews;
import io.hpl.server.model.Regressor;
import io.hpl.server.model.ResidualTreeVariance;
import io.hpl.server.model.RowLearnedVariance;
import io.hpl.server.model.ViewLearnedVariance;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.VarianceModel;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link TrainedModel} into one self-contained ONNX model, so that ONNX Runtime alone
 * serves mean and σ². Graph: input {@code x} float [N, d] (the encoded features: numeric values
 * as given, one-hot 0/1; for an image model float [N, C, H, W] in [0, 1], flattened at once)
 * → impute missing values (NaN → the training mean, only for a model whose data had missing
 * values) → standardise → regressor (MLP, packed MLP ensemble, conv net, trees or a blend) →
 * y = target.mean + target.std·out →
 * output {@code mean} float [N]; output {@code variance} float [N] from the variance model.
 */
public final class OnnxModelWriter {
    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;
    public static final String PRODUCER = "hpl-server";
    public static final String INPUT = "x";
    public static final String MEAN = "mean";
    public static final String VARIANCE = "variance";
    private static final String ROWS = "N";

    /**
     * The values a variance block may build on: raw input, standardised input, the regressor's
     * output in standardised target units [N], predicted mean.
     */
    record GraphValues(String input, String standardised, String regressorOutput, String mean) {
    }

    /** Serialised ModelProto; {@code metadata} becomes metadata_props (provenance). */
    public byte[] write(TrainedModel model, Map<String, String> metadata) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("hpl_regressor");
        String x = appendInput(b, model.schema());
        String present = model.imputesMissing() ? OnnxBlocks.appendImputeMissing(b, "features", model.features(), x) : x;
        String standardised = OnnxBlocks.appendStandardize(b, "features", model.features(), present);
        String out = OnnxBlocks.appendRegressor(b, "regressor", model.regressor(), standardised);
        String flat = OnnxBlocks.appendFlatten(b, "regressor", out);
        // Same float32 order as the training side: (out · std) + mean.
        String scaled = b.node("Mul", List.of(flat, b.floatScalar("target_std", (float) model.target().std())),
                "target_scaled");
        String mean = b.namedNode("Add", List.of(scaled, b.floatScalar("target_mean", (float) model.target().mean())),
                MEAN);
        appendVariance(b, model, new GraphValues(x, standardised, flat, mean));
        b.floatOutput(MEAN, ROWS);
        b.floatOutput(VARIANCE, ROWS);

        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(OnnxGraphBuilder.ML_DOMAIN)
                        .setVersion(OnnxTreeBlocks.ML_OPSET))
                .setProducerName(PRODUCER)
                .setDocString(docString(model))
                .setGraph(b.build());
        metadata.forEach((k, v) -> proto.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build().toByteArray();
    }

    /**
     * The graph input {@code x}, as flat rows [N, d]. An image model takes the preprocessed image
     * tensor [N, C, H, W] (what vision clients hold) and flattens it at once, so standardisation
     * and the variance blocks work on the same flat rows as for tables.
     */
    private static String appendInput(OnnxGraphBuilder b, DatasetSchema schema) {
        if (!schema.isImage()) {
            return b.floatInput(INPUT, ROWS, schema.encodedWidth());
        }
        ImageInput image = schema.image();
        String x = b.floatInput(INPUT, ROWS, image.channels(), image.height(), image.width());
        return OnnxConvBlocks.appendToRows(b, "input", image, x);
    }

    /** One branch per VarianceModel variant (a visitor: the compiler checks every variant has one), each producing the graph output {@code variance}. */
    private static void appendVariance(OnnxGraphBuilder b, TrainedModel model, GraphValues values) {
        model.variance().accept(new VarianceModel.Visitor<Void>() {
            @Override
            public Void constant(ConstantVariance constant) {
                appendConstantVariance(b, constant, values);
                return null;
            }

            @Override
            public Void viewLearned(ViewLearnedVariance view) {
                String raw = appendViewRawVariance(b, model.regressor(), view, values);
                b.namedNode("Mul", List.of(raw, scale(b, view.scale())), VARIANCE);
                return null;
            }

            @Override
            public Void rowLearned(RowLearnedVariance row) {
                String z = OnnxBlocks.appendFlatten(b, "uncertainty", OnnxBlocks.appendMlp(b, "uncertainty", row.learner(),
                        values.standardised()));
                String raw = b.node("Exp", List.of(z), "uncertainty_exp");
                b.namedNode("Mul", List.of(raw, scale(b, row.scale())), VARIANCE);
                return null;
            }

            @Override
            public Void residualTrees(ResidualTreeVariance trees) {
                String z = OnnxBlocks.appendFlatten(b, "uncertainty", OnnxTreeBlocks.appendTreeEnsemble(b, "uncertainty",
                        trees.logVariance(), values.standardised()));
                String raw = b.node("Exp", List.of(z), "uncertainty_exp");
                b.namedNode("Mul", List.of(raw, scale(b, trees.scale())), VARIANCE);
                return null;
            }
        });
    }

    /**
     * The constant filled into a tensor shaped like the mean: Shape → ConstantOfShape. Unlike
     * 0·mean + c, this cannot turn into NaN when a mean is infinite.
     */
    private static void appendConstantVariance(OnnxGraphBuilder b, ConstantVariance constant, GraphValues values) {
        float v = (float) constant.variance();
        if (!Float.isFinite(v) || v < 0) {
            throw new IllegalArgumentException("constant variance must be finite and ≥ 0 in float32: "
                    + constant.variance());
        }
        String rows = b.node("Shape", List.of(values.mean()), "variance_shape");
        b.namedNode("ConstantOfShape", List.of(rows), VARIANCE,
                tensorAttribute("value", floatTensor("variance_value", new float[] {v}, 1)));
    }

    /**
     * mean_k exp(g(f(v_k) − f(x), f(v_k))) [N] with v_k = x ⊙ keep_k + offset_k: the K views of all
     * N rows go through the regressor (its weights shared with the mean's MLP) as one [N·K, d] batch.
     */
    private static String appendViewRawVariance(OnnxGraphBuilder b, Regressor regressor, ViewLearnedVariance variance,
                                                GraphValues values) {
        FixedViews views = variance.views();
        long k = views.count();
        long d = views.width();
        String axis1 = b.int64Initializer("views_axis1", new long[] {1}, 1);
        String rows = b.node("Unsqueeze", List.of(values.standardised(), axis1), "views_rows"); // [N, 1, d]
        String kept = b.node("Mul", List.of(rows, b.floatInitializer("views_keep", views.keep(), k, d)), "views_kept");
        String shifted = b.node("Add", List.of(kept, b.floatInitializer("views_offset", views.offset(), k, d)),
                "views_values"); // [N, K, d]
        String flatViews = b.node("Reshape", List.of(shifted, b.int64Initializer("views_flat_shape", new long[] {-1, d}, 2)),
                "views_flat");
        String viewOut = OnnxBlocks.appendRegressor(b, "views_regressor", regressor, flatViews); // [N·K, 1]
        String perRow = b.node("Reshape", List.of(viewOut, b.int64Initializer("views_per_row", new long[] {-1, k}, 2)),
                "views_out");
        String own = b.node("Unsqueeze", List.of(values.regressorOutput(), axis1), "views_own_out"); // [N, 1]
        String residual = b.node("Sub", List.of(perRow, own), "views_residual");
        String residualColumn = b.node("Reshape", List.of(residual,
                b.int64Initializer("views_column", new long[] {-1, 1}, 2)), "views_residual_column");
        String input = b.node("Concat", List.of(residualColumn, viewOut), "uncertainty_input", intAttribute("axis", 1));
        String z = OnnxBlocks.appendMlp(b, "uncertainty", variance.learner(), input); // [N·K, 1]
        String zPerRow = b.node("Reshape", List.of(z, b.int64Initializer("uncertainty_per_row", new long[] {-1, k}, 2)),
                "uncertainty_z");
        String exp = b.node("Exp", List.of(zPerRow), "uncertainty_exp");
        return b.node("ReduceMean", List.of(exp), "uncertainty_mean", intsAttribute("axes", 1), intAttribute("keepdims", 0));
    }

    private static String scale(OnnxGraphBuilder b, double scale) {
        float s = (float) scale;
        if (!Float.isFinite(s) || s < 0) {
            throw new IllegalArgumentException("variance scale must be finite and ≥ 0 in float32: " + scale);
        }
        return b.floatScalar("variance_scale", s);
    }

    private static String docString(TrainedModel model) {
        return "Regressor exported by hpl-server. Input x: " + inputDescription(model.schema())
                + ". Output mean: float [N] predicted "
                + model.schema().targetColumn() + ". Output variance: float [N] σ² in squared target units; "
                + model.variance().definition() + ".";
    }

    private static String inputDescription(DatasetSchema schema) {
        if (schema.isImage()) {
            ImageInput image = schema.image();
            return "float [N, " + image.channels() + ", " + image.height() + ", " + image.width()
                    + "] images, channel-major (NCHW), " + (image.channels() == 1 ? "grey" : "RGB")
                    + " values in [0, 1] as the training images were decoded (the graph standardises them)";
        }
        String described = "float [N, " + schema.encodedWidth() + "] encoded features " + schema.encodedNames()
                + " (numeric as given, categorical one-hot 0/1)";
        if (!schema.hasMissingValues()) {
            return described;
        }
        return described + "; for a missing cell of a column with an indicator " + Column.MISSING_SUFFIX
                + ", send NaN as a numeric value (or all-zero one-hot inputs for a categorical one) and 1 as"
                + " its indicator (0 otherwise); the graph replaces NaN with the training mean";
    }
}
