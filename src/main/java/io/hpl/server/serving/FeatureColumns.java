package io.hpl.server.serving;

import io.hpl.server.data.CellValue;
import java.util.Map;

/**
 * A batch of rows given column by column (the tensor form of the Open Inference Protocol): one
 * array per feature column, every array {@code rows} long. No per-row object is built on the way:
 * the encoder reads cell {@code i} of each column straight from these arrays.
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
    public sealed interface Values permits Numbers, Texts {
        int length();

        /** Cell {@code row} as the encoder reads it. */
        CellValue cell(int row);
    }

    /** Numbers; NaN is a missing value (a tensor has no null), as in the raw ONNX input. */
    public record Numbers(double[] values) implements Values {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public CellValue cell(int row) {
            double v = values[row];
            return Double.isNaN(v) ? CellValue.MISSING : new CellValue.Number(v);
        }
    }

    /** Texts (categories, or numbers as text); an empty text is a missing value, as an empty CSV cell. */
    public record Texts(String[] values) implements Values {
        @Override
        public int length() {
            return values.length;
        }

        @Override
        public CellValue cell(int row) {
            return CellValue.text(values[row]);
        }
    }
}
