package io.hpl.server.training.trees;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpl.server.model.RegressionTree;
import io.hpl.server.model.TreeEnsemble;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads XGBoost's JSON model format (what {@code Booster.toByteArray("json")} writes) into a
 * {@link TreeEnsemble}. Only what a single-target regression with an identity link needs: the
 * base score and, per tree, children, split feature and condition, default direction, and the
 * leaf values, which XGBoost keeps in {@code split_conditions} of leaf nodes.
 */
final class XgboostJsonModel {
    private static final ObjectMapper JSON = new ObjectMapper();

    private XgboostJsonModel() {
    }

    static TreeEnsemble read(byte[] json, int inputs) {
        try {
            JsonNode learner = JSON.readTree(json).path("learner");
            String objective = learner.path("objective").path("name").asText();
            if (!objective.equals("reg:squarederror")) {
                throw new IllegalArgumentException("only reg:squarederror is read (identity link), not " + objective);
            }
            float base = parseBaseScore(learner.path("learner_model_param").path("base_score").asText());
            List<RegressionTree> trees = new ArrayList<>();
            for (JsonNode tree : learner.path("gradient_booster").path("model").path("trees")) {
                trees.add(tree(tree));
            }
            return new TreeEnsemble(inputs, base, trees);
        } catch (IOException e) {
            throw new UncheckedIOException("XGBoost wrote a model that is not JSON", e);
        }
    }

    /** "[1.5E0]" since XGBoost 3 (one value per target), "1.5E0" before. */
    static float parseBaseScore(String text) {
        String value = text.replace("[", "").replace("]", "").trim();
        if (value.contains(",")) {
            throw new IllegalArgumentException("a single-target model has one base score, not " + text);
        }
        return Float.parseFloat(value);
    }

    private static RegressionTree tree(JsonNode tree) {
        int[] left = ints(tree.path("left_children"));
        int[] right = ints(tree.path("right_children"));
        int[] feature = ints(tree.path("split_indices"));
        int[] defaultLeft = ints(tree.path("default_left"));
        float[] conditions = floats(tree.path("split_conditions"));
        int n = left.length;
        float[] threshold = new float[n];
        float[] value = new float[n];
        boolean[] missingLeft = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (left[i] == -1) {
                value[i] = conditions[i];
                feature[i] = 0;
            } else {
                threshold[i] = conditions[i];
                missingLeft[i] = defaultLeft[i] != 0;
            }
        }
        return new RegressionTree(feature, threshold, left, right, missingLeft, value);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
