package io.hpl.server.model;

/**
 * σ² from HPL's uncertainty learner g, which reads (p_s − ŷ, p_s): the served row plays the weak
 * view, {@link FixedViews} the strong ones. With f the regressor's output in standardised units,
 * σ²(x) = scale · mean_k exp(g(f(v_k) − f(x), f(v_k))); {@code scale} is fitted on held-out labelled rows.
 */
public record ViewLearnedVariance(Mlp learner, FixedViews views, double scale) implements VarianceModel {
    public ViewLearnedVariance {
        if (learner.inputs() != 2 || learner.outputs() != 1) {
            throw new IllegalArgumentException("the view-based learner maps 2 inputs to 1 output");
        }
    }

    @Override
    public String definition() {
        return "learned: scale times the mean over " + views.count() + " fixed strong views v of exp(g(f(v) - f(x), f(v))),"
                + " g the uncertainty learner trained with the regressor, scale fitted on held-out calibration rows";
    }

    @Override
    public <T> T accept(VarianceModel.Visitor<T> visitor) {
        return visitor.viewLearned(this);
    }
}
