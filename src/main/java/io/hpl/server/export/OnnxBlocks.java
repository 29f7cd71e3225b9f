package io.hpl.server.export;

import static io.hpl.server.export.OnnxGraphBuilder.intAttribute;

import io.hpl.server.model.Blend;
import io.hpl.server.model.ConvNet;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Mlp;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.Regressor;
import io.hpl.server.model.Standardizer;
import io.hpl.server.model.TreeEnsemble;
import java.util.List;

/**
 * Reusable pieces of model graphs. Each takes the name of its input value and returns the name
 * of its output value; {@code prefix} keeps the names of different blocks apart (e.g. a second
 * MLP for a variance head).
 */
public final class OnnxBlocks {
    private OnnxBlocks() {
    }

    /**
     * Where(IsNaN(x), fill, x) on [N, width]: a missing input (NaN) becomes the standardiser's
     * {@link Standardizer#missingFill()}, as in training.
     */
    public static String appendImputeMissing(OnnxGraphBuilder b, String prefix, Standardizer s, String input) {
        String fill = b.floatInitializer(prefix + "_missing_fill", s.missingFill(), s.width());
        String isMissing = b.node("IsNaN", List.of(input), prefix + "_is_missing");
        return b.node("Where", List.of(isMissing, fill, input), prefix + "_imputed");
    }

    /** (x − mean) / std per column, on [N, width]: the same two ops the training side applies. */
    public static String appendStandardize(OnnxGraphBuilder b, String prefix, Standardizer s, String input) {
        String mean = b.floatInitializer(prefix + "_mean", s.mean(), s.width());
        String std = b.floatInitializer(prefix + "_std", s.std(), s.width());
        String centred = b.node("Sub", List.of(input, mean), prefix + "_centred");
        return b.node("Div", List.of(centred, std), prefix + "_standardised");
    }

    /** f on standardised rows [N, inputs] → [N, 1]; a conv net reads each row as its C×H×W image. */
    public static String appendRegressor(OnnxGraphBuilder b, String prefix, Regressor regressor, String input) {
        return regressor.accept(new Regressor.Visitor<>() {
            @Override
            public String mlp(Mlp mlp) {
                return appendMlp(b, prefix, mlp, input);
            }

            @Override
            public String packedMlp(PackedMlp packed) {
                return OnnxPackedBlocks.appendPackedMlp(b, prefix, packed, input);
            }

            @Override
            public String convNet(ConvNet conv) {
                return OnnxConvBlocks.appendConvNet(b, prefix, conv, input);
            }

            @Override
            public String trees(TreeEnsemble trees) {
                return OnnxTreeBlocks.appendTreeEnsemble(b, prefix, trees, input);
            }

            @Override
            public String blend(Blend blend) {
                return OnnxTreeBlocks.appendBlend(b, prefix, blend, input);
            }
        });
    }

    /** The MLP on [N, inputs] → [N, outputs]: Gemm per layer, ReLU between layers, none after the last. */
    public static String appendMlp(OnnxGraphBuilder b, String prefix, Mlp mlp, String input) {
        String h = input;
        List<DenseLayer> layers = mlp.layers();
        for (int i = 0; i < layers.size(); i++) {
            String layer = prefix + "_layer" + i;
            h = appendDense(b, layer, layers.get(i), h);
            if (i < layers.size() - 1) {
                h = b.node("Relu", List.of(h), layer + "_relu");
            }
        }
        return h;
    }

    /**
     * x·Wᵀ + b. transB=1 lets the weight stay in PyTorch's [out][in] layout, so it is written
     * exactly as trained, without a transposed copy.
     */
    public static String appendDense(OnnxGraphBuilder b, String prefix, DenseLayer layer, String input) {
        String w = b.floatInitializer(prefix + "_weight", layer.weight(), layer.outputs(), layer.inputs());
        String bias = b.floatInitializer(prefix + "_bias", layer.bias(), layer.outputs());
        return b.node("Gemm", List.of(input, w, bias), prefix + "_gemm", intAttribute("transB", 1));
    }

    /** [N, 1] → [N]: the graph outputs are one value per row. */
    public static String appendFlatten(OnnxGraphBuilder b, String prefix, String input) {
        String shape = b.int64Initializer(prefix + "_shape", new long[] {-1}, 1);
        return b.node("Reshape", List.of(input, shape), prefix + "_flat");
    }
}
