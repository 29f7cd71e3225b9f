package io.hpl.server.export;

import static io.hpl.server.export.OnnxGraphBuilder.intAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.intsAttribute;

import io.hpl.server.model.PackedLayer;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.PiecewiseLinearEncoding;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link PackedMlp} as graph nodes, the same ops in the same order as the training side's
 * PackedMlpNetwork: encoding (Gather, Sub, Div, Min, Max), the members' first layers as one Gemm,
 * then per hidden layer one batched MatMul + Add on [K, N, w], then the head's Gemm.
 */
final class OnnxPackedBlocks {
    private OnnxPackedBlocks() {
    }

    /** f on standardised rows [N, inputs] → [N, 1]. */
    static String appendPackedMlp(OnnxGraphBuilder b, String prefix, PackedMlp mlp, String input) {
        String h = appendEncoding(b, prefix + "_encoding", mlp.encoding(), input);
        String first = prefix + "_first";
        h = b.node("Relu", List.of(OnnxBlocks.appendDense(b, first, mlp.first(), h)), first + "_relu");
        if (!mlp.hidden().isEmpty()) {
            long k = mlp.members();
            String members = b.node("Reshape", List.of(h, b.int64Initializer(prefix + "_members_shape",
                    new long[] {-1, k, mlp.first().outputs() / k}, 3)), prefix + "_members");
            h = b.node("Transpose", List.of(members), prefix + "_member_major", intsAttribute("perm", 1, 0, 2));
            for (int i = 0; i < mlp.hidden().size(); i++) {
                PackedLayer layer = mlp.hidden().get(i);
                String name = prefix + "_packed" + i;
                String w = b.floatInitializer(name + "_weight", layer.weight(), layer.members(), layer.inputs(),
                        layer.outputs());
                String bias = b.floatInitializer(name + "_bias", layer.bias(), layer.members(), 1, layer.outputs());
                String product = b.node("MatMul", List.of(h, w), name + "_matmul");
                h = b.node("Relu", List.of(b.node("Add", List.of(product, bias), name + "_add")), name + "_relu");
            }
            String rowMajor = b.node("Transpose", List.of(h), prefix + "_row_major", intsAttribute("perm", 1, 0, 2));
            h = b.node("Reshape", List.of(rowMajor, b.int64Initializer(prefix + "_features_shape",
                    new long[] {-1, mlp.head().inputs()}, 2)), prefix + "_features");
        }
        return OnnxBlocks.appendDense(b, prefix + "_head", mlp.head(), h);
    }

    /** max(min((x[:, source] − lower) / width, upper), floor), [N, inputs] → [N, E]. */
    private static String appendEncoding(OnnxGraphBuilder b, String prefix, PiecewiseLinearEncoding e, String input) {
        long n = e.outputs();
        String source = b.int64Initializer(prefix + "_source", Arrays.stream(e.source()).asLongStream().toArray(), n);
        String gathered = b.node("Gather", List.of(input, source), prefix + "_gathered", intAttribute("axis", 1));
        String shifted = b.node("Sub", List.of(gathered, b.floatInitializer(prefix + "_lower", e.lower(), n)),
                prefix + "_shifted");
        String scaled = b.node("Div", List.of(shifted, b.floatInitializer(prefix + "_width", e.width(), n)),
                prefix + "_scaled");
        String capped = b.node("Min", List.of(scaled, b.floatInitializer(prefix + "_upper", e.upper(), n)),
                prefix + "_capped");
        return b.node("Max", List.of(capped, b.floatInitializer(prefix + "_floor", e.floor(), n)), prefix + "_encoded");
    }
}
