package io.hpl.server.model;

import java.util.List;

/**
 * Gradient-boosted trees as a regressor on standardised rows: f(x) = base + Σ_t tree_t(x), in
 * standardised target units like every regressor, so the rest of a {@link TrainedModel} is the same.
 * Exported as one ai.onnx.ml TreeEnsembleRegressor node.
 */
public record TreeEnsemble(int inputs, float base, List<RegressionTree> trees) implements Regressor {
    public TreeEnsemble {
        trees = List.copyOf(trees);
        for (RegressionTree tree : trees) {
            for (int i = 0; i < tree.nodes(); i++) {
                if (!tree.isLeaf(i) && (tree.feature()[i] < 0 || tree.feature()[i] >= inputs)) {
                    throw new IllegalArgumentException("a split reads feature " + tree.feature()[i] + " of " + inputs);
                }
            }
        }
    }

    @Override
    public int outputs() {
        return 1;
    }

    /** f(x) for one standardised row, summed in float32 as the ONNX operator does. */
    public float predict(float[] row) {
        float sum = 0;
        for (RegressionTree tree : trees) {
            sum += tree.predict(row);
        }
        return sum + base;
    }

    @Override
    public <T> T accept(Regressor.Visitor<T> visitor) {
        return visitor.trees(this);
    }
}
