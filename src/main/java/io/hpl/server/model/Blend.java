package io.hpl.server.model;

import java.util.List;

/**
 * A weighted sum of regressors that read the same standardised rows: f(x) = Σ_k w_k · f_k(x). AUTO
 * serves this when several candidates together beat each alone on held-out rows. Weights are
 * non-negative and sum to 1, so the blend stays in the members' range.
 */
public record Blend(List<Regressor> members, double[] weights) implements Regressor {
    public Blend {
        members = List.copyOf(members);
        weights = weights.clone();
        if (members.isEmpty() || members.size() != weights.length) {
            throw new IllegalArgumentException(members.size() + " members for " + weights.length + " weights");
        }
        double sum = 0;
        for (int k = 0; k < weights.length; k++) {
            if (!(weights[k] >= 0) || members.get(k).outputs() != 1 || members.get(k).inputs() != members.get(0).inputs()) {
                throw new IllegalArgumentException("member " + k + ": weights must be ≥ 0, members one-output on the same rows");
            }
            sum += weights[k];
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("blend weights must sum to 1, not " + sum);
        }
    }

    @Override
    public int inputs() {
        return members.get(0).inputs();
    }

    @Override
    public int outputs() {
        return 1;
    }

    @Override
    public <T> T accept(Regressor.Visitor<T> visitor) {
        return visitor.blend(this);
    }
}
