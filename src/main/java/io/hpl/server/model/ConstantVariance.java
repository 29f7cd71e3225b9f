package io.hpl.server.model;

/** The same σ² for every row: the residual variance measured on held-out labelled rows. */
public record ConstantVariance(double variance) implements VarianceModel {
    @Override
    public String definition() {
        return "constant: mean squared residual of the model on the held-out calibration rows";
    }

    @Override
    public <T> T accept(VarianceModel.Visitor<T> visitor) {
        return visitor.constant(this);
    }
}
