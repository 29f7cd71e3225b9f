package io.hpl.server.data;

/**
 * Rows ready for a model: {@code x[i]} is row i encoded with {@link #schema()} (numeric values as
 * given, categoricals one-hot), {@code y[i]} its target, NaN when the row is unlabelled.
 */
public record Table(DatasetSchema schema, float[][] x, double[] y) {
    public Table {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length);
        }
    }

    public int rows() {
        return y.length;
    }

    public long labelledRows() {
        long n = 0;
        for (double v : y) {
            if (!Double.isNaN(v)) {
                n++;
            }
        }
        return n;
    }

    public long unlabelledRows() {
        return rows() - labelledRows();
    }
}
