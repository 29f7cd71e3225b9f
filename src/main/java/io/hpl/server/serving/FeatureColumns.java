package io.hpl.server.serving;

import io.hpl.server.data.CellValue;
import io.hpl.server.data.FeatureEncoder;
import java.util.Map;

/**
 * A batch of rows given column by column (the tensor forms: hpl.v1's PredictRequest.columns and the
 * Open Inference Protocol's column tensors): one array per feature column, every array {@code rows}
 * long. No per-row object is built on the way: {@link FeatureEncoder#encodeColumns} reads the numbers
 * straight from these arrays.
 */
public record FeatureColumns(int rows, Map<String, Values> columns) {
    public FeatureColumns {
        columns = Map.copyOf(columns);
        for (Map.Entry<String, Values> e : columns.entrySet()) {
            if (e.getValue().length() != rows) {
                throw new IllegalArgumentException("column " + e.getKey() + " has " + e.getValue().length()
                        + " values for " + rows + " rows");
            }
        }
    }

    /** The values of one column. */
    public sealed interface Values extends FeatureEncoder.ColumnReader permits NumericValues, Texts {
    }

    /** Numbers of either width; NaN is a missing value (a tensor has no null), as in the raw ONNX input. */
    public sealed interface NumericValues extends Values permits Numbers, Floats {
        @Override
        default boolean numeric() {
            return true;
        }

        @Override
        default CellValue cell(int row) {
            double v = number(row);
            return Double.isNaN(v) ? CellValue.MISSING : new CellValue.Number(v);
        }
    }

    /** float64 numbers. */
    public record Numbers(double[] values) implements NumericValues {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public double number(int row) {
            return values[row];
        }
    }

    /** float32 numbers, as the model computes in. */
    public record Floats(float[] values) implements NumericValues {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public double number(int row) {
            return values[row];
        }
    }

    /** Texts (categories, or numbers as text); an empty text is a missing value, as an empty CSV cell. */
    public record Texts(String[] values) implements Values {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public boolean numeric() {
            return false;
        }

        @Override
        public double number(int row) {
            throw new UnsupportedOperationException("a text column is read by cell");
        }

        @Override
        public CellValue cell(int row) {
            return CellValue.text(values[row]);
        }
    }
}
