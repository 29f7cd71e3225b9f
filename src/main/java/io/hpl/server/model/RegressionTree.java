package io.hpl.server.model;

/**
 * One binary regression tree in flat arrays, node 0 the root. An inner node sends a row left when
 * {@code x[feature] < threshold} (XGBoost's rule, and ONNX's BRANCH_LT), and a missing (NaN) value
 * the way {@code missingGoesLeft} says. A leaf has {@code left == -1} and its output in {@code value}.
 */
public record RegressionTree(int[] feature, float[] threshold, int[] left, int[] right, boolean[] missingGoesLeft,
                             float[] value) {
    public RegressionTree {
        int n = feature.length;
        if (threshold.length != n || left.length != n || right.length != n || missingGoesLeft.length != n
                || value.length != n || n == 0) {
            throw new IllegalArgumentException("a tree needs the same number (≥ 1) of entries in every array");
        }
        for (int i = 0; i < n; i++) {
            boolean leaf = left[i] == -1;
            if (leaf != (right[i] == -1) || (!leaf && (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n))) {
                throw new IllegalArgumentException("node " + i + " has children " + left[i] + "/" + right[i]
                        + ": children must come after their parent, and a leaf has none");
            }
        }
    }

    public int nodes() {
        return feature.length;
    }

    public boolean isLeaf(int node) {
        return left[node] == -1;
    }

    /** The leaf value this row reaches. */
    public float predict(float[] row) {
        int node = 0;
        while (!isLeaf(node)) {
            float x = row[feature[node]];
            boolean goLeft = Float.isNaN(x) ? missingGoesLeft[node] : x < threshold[node];
            node = goLeft ? left[node] : right[node];
        }
        return value[node];
    }
}
