package io.hpl.server.model;

import java.util.List;

/**
 * K MLPs packed in one network (TabM's fully packed variant, Gorishniy et al., ICLR 2025), on
 * piecewise-linear encoded rows. Forward, [N, inputs] → [N, 1]:
 * <ol>
 * <li>e = encoding(x), [N, E], shared by every member (it has no weights);</li>
 * <li>the members' first layers side by side as one dense layer E → K·w₁ (columns k·w₁… are
 *     member k's), ReLU;</li>
 * <li>then per hidden layer one batched matmul on [K, N, w]: ReLU(h_k·W_k + b_k);</li>
 * <li>the head on the members' features concatenated [N, K·w]: Σ_k w_k·h_k + b, which is the mean of
 *     K member heads (member k's head is K·w_k with bias b) written as one linear layer.</li>
 * </ol>
 * Members have independent weights (not BatchEnsemble's shared ones with rank-1 adapters): on CPU the
 * cost is K·N·w² either way, and independent members stay more diverse.
 */
public record PackedMlp(PiecewiseLinearEncoding encoding, int members, DenseLayer first, List<PackedLayer> hidden,
                        DenseLayer head) implements Regressor {
    public PackedMlp {
        hidden = List.copyOf(hidden);
        if (first.inputs() != encoding.outputs() || first.outputs() % members != 0) {
            throw new IllegalArgumentException("first layer " + first.inputs() + "->" + first.outputs()
                    + " does not fit " + encoding.outputs() + " encoded inputs and " + members + " members");
        }
        int width = first.outputs() / members;
        for (int i = 0; i < hidden.size(); i++) {
            PackedLayer layer = hidden.get(i);
            if (layer.members() != members || layer.inputs() != width) {
                throw new IllegalArgumentException("packed layer " + i + " does not fit the previous one");
            }
            width = layer.outputs();
        }
        if (head.inputs() != members * width || head.outputs() != 1) {
            throw new IllegalArgumentException("head " + head.inputs() + "->" + head.outputs() + " does not fit "
                    + members + " members of width " + width);
        }
    }

    /** Width of each member's last hidden layer. */
    public int memberWidth() {
        return head.inputs() / members;
    }

    @Override
    public int inputs() {
        return encoding.inputs();
    }

    @Override
    public int outputs() {
        return 1;
    }

    @Override
    public <T> T accept(Regressor.Visitor<T> visitor) {
        return visitor.packedMlp(this);
    }
}
