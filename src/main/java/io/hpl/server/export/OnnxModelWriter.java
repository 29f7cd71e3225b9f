package io.hpl.server.export;

import static io.hpl.server.export.OnnxGraphBuilder.floatTensor;
import static io.hpl.server.export.OnnxGraphBuilder.tensorAttribute;

import io.hpl.server.export.onnx.ModelProto;
import io.hpl.server.export.onnx.OperatorSetIdProto;
import io.hpl.server.export.onnx.StringStringEntryProto;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.VarianceModel;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link TrainedModel} into one self-contained ONNX model, so that ONNX Runtime alone
 * serves mean and σ². Graph: input {@code x} float [N, d] (the encoded features: numeric values
 * as given, one-hot 0/1) → standardise → regressor MLP → y = target.mean + target.std·out →
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

    /** The values a variance block may build on: raw input, standardised input, predicted mean. */
    record GraphValues(String input, String standardised, String mean) {
    }

    /** Serialised ModelProto; {@code metadata} becomes metadata_props (provenance). */
    public byte[] write(TrainedModel model, Map<String, String> metadata) {
        int width = model.schema().encodedWidth();
        OnnxGraphBuilder b = new OnnxGraphBuilder("hpl_regressor");
        String x = b.floatInput(INPUT, ROWS, width);
        String standardised = OnnxBlocks.appendStandardize(b, "features", model.features(), x);
        String out = OnnxBlocks.appendMlp(b, "regressor", model.regressor(), standardised);
        String flat = OnnxBlocks.appendFlatten(b, "regressor", out);
        // Same float32 order as the training side: (out · std) + mean.
        String scaled = b.node("Mul", List.of(flat, b.floatScalar("target_std", (float) model.target().std())),
                "target_scaled");
        String mean = b.namedNode("Add", List.of(scaled, b.floatScalar("target_mean", (float) model.target().mean())),
                MEAN);
        appendVariance(b, model.variance(), new GraphValues(x, standardised, mean));
        b.floatOutput(MEAN, ROWS);
        b.floatOutput(VARIANCE, ROWS);

        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setDocString(docString(model))
                .setGraph(b.build());
        metadata.forEach((k, v) -> proto.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build().toByteArray();
    }

    /**
     * One branch per VarianceModel variant, each producing the graph output {@code variance}.
     * Java 17 has no pattern switch (preview only), so this is an instanceof chain; a new
     * variant lands in the final throw until it gets its branch here.
     */
    private static void appendVariance(OnnxGraphBuilder b, VarianceModel variance, GraphValues values) {
        if (variance instanceof ConstantVariance constant) {
            appendConstantVariance(b, constant, values);
        } else {
            throw new IllegalArgumentException("no ONNX export for variance model " + variance.getClass().getName());
        }
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

    private static String docString(TrainedModel model) {
        return "Regressor exported by hpl-server. Input x: float [N, " + model.schema().encodedWidth()
                + "] encoded features " + model.schema().encodedNames()
                + " (numeric as given, categorical one-hot 0/1). Output mean: float [N] predicted "
                + model.schema().targetColumn() + ". Output variance: float [N] σ² in squared target units; "
                + model.variance().definition() + ".";
    }
}
