package io.hpl.server.model;

/** σ²(x) = scale · exp(g(x')) with x' the standardised row and g the uncertainty learner (row input). */
public record RowLearnedVariance(Mlp learner, double scale) implements VarianceModel {
    public RowLearnedVariance {
        if (learner.outputs() != 1) {
            throw new IllegalArgumentException("the row-based learner has one output");
        }
    }

    @Override
    public String definition() {
        return "learned: scale times exp(g(standardised row)), g the uncertainty learner trained with the regressor,"
                + " scale fitted on held-out calibration rows";
    }

    @Override
    public <T> T accept(VarianceModel.Visitor<T> visitor) {
        return visitor.rowLearned(this);
    }
}
