package io.hpl.server.model;

/**
 * σ²(x) = scale · exp(t(x')) with x' the standardised row and t gradient-boosted trees fitted to the
 * log squared out-of-fold residuals of the mean model: the tree family's heteroscedastic σ².
 */
public record ResidualTreeVariance(TreeEnsemble logVariance, double scale) implements VarianceModel {
    @Override
    public String definition() {
        return "learned: scale times exp(t(standardised row)), t gradient-boosted trees fitted to the log squared"
                + " out-of-fold residuals of the training rows, scale fitted on held-out calibration rows";
    }

    @Override
    public <T> T accept(VarianceModel.Visitor<T> visitor) {
        return visitor.residualTrees(this);
    }
}
