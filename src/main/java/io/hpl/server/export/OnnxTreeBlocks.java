package io.hpl.server.export;

import static io.hpl.server.export.OnnxGraphBuilder.floatsAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.intAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.intsAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.stringAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.stringsAttribute;

import io.hpl.server.model.Blend;
import io.hpl.server.model.RegressionTree;
import io.hpl.server.model.TreeEnsemble;
import java.util.ArrayList;
import java.util.List;

/** Graph blocks for the tree family and for blends of regressors. */
final class OnnxTreeBlocks {
    /** ai.onnx.ml opset 3: TreeEnsembleRegressor with float attributes, served by every ONNX Runtime since 1.x. */
    static final long ML_OPSET = 3;

    private OnnxTreeBlocks() {
    }

    /**
     * One TreeEnsembleRegressor node on [N, inputs] → [N, 1]: BRANCH_LT splits (x &lt; threshold goes
     * to the "true" child, XGBoost's left), missing values follow {@code missingGoesLeft}, leaves summed,
     * plus the base value.
     */
    static String appendTreeEnsemble(OnnxGraphBuilder b, String prefix, TreeEnsemble ensemble, String input) {
        int total = ensemble.trees().stream().mapToInt(RegressionTree::nodes).sum();
        long[] treeIds = new long[total];
        long[] nodeIds = new long[total];
        long[] featureIds = new long[total];
        float[] values = new float[total];
        long[] trueIds = new long[total];
        long[] falseIds = new long[total];
        long[] missingTrue = new long[total];
        List<String> modes = new ArrayList<>(total);
        List<Long> leafTrees = new ArrayList<>();
        List<Long> leafNodes = new ArrayList<>();
        List<Float> leafWeights = new ArrayList<>();
        int at = 0;
        for (int t = 0; t < ensemble.trees().size(); t++) {
            RegressionTree tree = ensemble.trees().get(t);
            for (int n = 0; n < tree.nodes(); n++, at++) {
                treeIds[at] = t;
                nodeIds[at] = n;
                if (tree.isLeaf(n)) {
                    modes.add("LEAF");
                    leafTrees.add((long) t);
                    leafNodes.add((long) n);
                    leafWeights.add(tree.value()[n]);
                } else {
                    modes.add("BRANCH_LT");
                    featureIds[at] = tree.feature()[n];
                    values[at] = tree.threshold()[n];
                    trueIds[at] = tree.left()[n];
                    falseIds[at] = tree.right()[n];
                    missingTrue[at] = tree.missingGoesLeft()[n] ? 1 : 0;
                }
            }
        }
        float[] weights = new float[leafWeights.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = leafWeights.get(i);
        }
        return b.mlNode("TreeEnsembleRegressor", List.of(input), prefix + "_trees",
                intAttribute("n_targets", 1),
                stringAttribute("aggregate_function", "SUM"),
                stringAttribute("post_transform", "NONE"),
                floatsAttribute("base_values", new float[] {ensemble.base()}),
                intsAttribute("nodes_treeids", treeIds),
                intsAttribute("nodes_nodeids", nodeIds),
                intsAttribute("nodes_featureids", featureIds),
                stringsAttribute("nodes_modes", modes),
                floatsAttribute("nodes_values", values),
                intsAttribute("nodes_truenodeids", trueIds),
                intsAttribute("nodes_falsenodeids", falseIds),
                intsAttribute("nodes_missing_value_tracks_true", missingTrue),
                intsAttribute("target_treeids", leafTrees.stream().mapToLong(Long::longValue).toArray()),
                intsAttribute("target_nodeids", leafNodes.stream().mapToLong(Long::longValue).toArray()),
                intsAttribute("target_ids", new long[leafWeights.size()]),
                floatsAttribute("target_weights", weights));
    }

    /** Σ_k w_k · f_k(x), each member [N, 1], summed in member order (as the training side does). */
    static String appendBlend(OnnxGraphBuilder b, String prefix, Blend blend, String input) {
        String sum = null;
        for (int k = 0; k < blend.members().size(); k++) {
            String member = OnnxBlocks.appendRegressor(b, prefix + "_member" + k, blend.members().get(k), input);
            String weighted = b.node("Mul", List.of(member, b.floatScalar(prefix + "_weight" + k,
                    (float) blend.weights()[k])), prefix + "_weighted" + k);
            sum = sum == null ? weighted : b.node("Add", List.of(sum, weighted), prefix + "_sum" + k);
        }
        return sum;
    }
}
