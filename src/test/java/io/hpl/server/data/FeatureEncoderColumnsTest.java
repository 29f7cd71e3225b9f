package io.hpl.server.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hpl.server.errors.HplException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** encodeColumns gives the rows encodeRow gives for the same cells, and the same errors. */
class FeatureEncoderColumnsTest {
    private static final DatasetSchema SCHEMA = new DatasetSchema("y",
            List.of(Column.numeric("a"), Column.numeric("m").withMissing(),
                    Column.categorical("colour", List.of("blue", "green", "red")),
                    Column.categorical("code", List.of("1", "2", "2.5")).withMissing()),
            List.of("id"));
    private final FeatureEncoder encoder = new FeatureEncoder(SCHEMA);

    /** A column as numbers (NaN = missing) or as texts, the two ways a reader gives cells. */
    private record Numbers(double[] values) implements FeatureEncoder.ColumnReader {
        public int length() {
            return values.length;
        }

        public boolean numeric() {
            return true;
        }

        public double number(int row) {
            return values[row];
        }

        public CellValue cell(int row) {
            return Double.isNaN(values[row]) ? CellValue.MISSING : new CellValue.Number(values[row]);
        }
    }

    private record Texts(String[] values) implements FeatureEncoder.ColumnReader {
        public int length() {
            return values.length;
        }

        public boolean numeric() {
            return false;
        }

        public double number(int row) {
            throw new UnsupportedOperationException();
        }

        public CellValue cell(int row) {
            return CellValue.text(values[row]);
        }
    }

    private float[] rowByRow(Map<String, FeatureEncoder.ColumnReader> columns, int rows) {
        int width = SCHEMA.encodedWidth();
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            int row = r;
            float[] x = encoder.encodeRow("row " + r, name -> columns.containsKey(name) ? columns.get(name).cell(row)
                    : CellValue.MISSING);
            System.arraycopy(x, 0, out, r * width, width);
        }
        return out;
    }

    @Test
    void columnsEncodeAsTheirRowsDo() {
        Map<String, FeatureEncoder.ColumnReader> columns = new HashMap<>();
        columns.put("a", new Numbers(new double[] {1.5, -2, 1e30}));
        columns.put("m", new Numbers(new double[] {Double.NaN, 3, 4}));
        columns.put("colour", new Texts(new String[] {"red", "blue", "green"}));
        columns.put("code", new Numbers(new double[] {2, Double.NaN, 2.5})); // numbers name categories by their text
        float[] x = encoder.encodeColumns(3, columns::get);
        assertArrayEquals(rowByRow(columns, 3), x);
        assertEquals(3 * SCHEMA.encodedWidth(), x.length);

        columns.put("a", new Texts(new String[] {"1.5", "-2", "7"})); // number text in a numeric column
        columns.remove("code"); // has_missing: may be left out, every row missing
        assertArrayEquals(rowByRow(columns, 3), encoder.encodeColumns(3, columns::get));
    }

    @Test
    void errorsNameTheRowAndColumnAsForRows() {
        Map<String, FeatureEncoder.ColumnReader> columns = new HashMap<>();
        columns.put("a", new Numbers(new double[] {1, Double.NaN}));
        columns.put("colour", new Texts(new String[] {"red", "red"}));
        assertMessage("row 1, column 'a': missing value", columns);
        columns.put("a", new Numbers(new double[] {1, Double.POSITIVE_INFINITY}));
        assertMessage("row 1, column 'a': NaN and infinite values are not allowed", columns);
        columns.put("a", new Numbers(new double[] {1e300, 1}));
        assertMessage("row 0, column 'a': 1.0E300 is outside the float32 range", columns);
        columns.put("a", new Numbers(new double[] {1, 2}));
        columns.put("colour", new Texts(new String[] {"red", "purple"}));
        assertMessage("row 1, column 'colour': unknown category 'purple'", columns);
        columns.remove("colour");
        assertMessage("row 0, column 'colour': missing value", columns);
    }

    private void assertMessage(String start, Map<String, FeatureEncoder.ColumnReader> columns) {
        HplException e = assertThrows(HplException.class, () -> encoder.encodeColumns(2, columns::get));
        assertEquals(start, e.getMessage().substring(0, Math.min(start.length(), e.getMessage().length())), e.getMessage());
    }
}
