package io.hpl.server.data;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns one row of cells into model inputs with a fixed {@link DatasetSchema}: a numeric column
 * becomes its value, a categorical column a one-hot block in the schema's category order. A
 * column that had missing values ({@link Column#hasMissing()}) also gets its missing indicator;
 * a missing cell there becomes NaN (numeric) or an all-zero one-hot block, with the indicator 1.
 * A missing cell in any other column is an error. The
 * CSV reader and the prediction path both use it, so a row is encoded the same way at training
 * and at serving time. Errors are {@link HplException}s (INVALID_ARGUMENT) that name the row, by
 * the label the caller passes (e.g. "line 12" or "row 3"), and the column.
 */
public final class FeatureEncoder {
    /** How many known categories an unknown-category error lists. */
    private static final int CATEGORIES_SHOWN = 5;

    private final DatasetSchema schema;
    /** Per feature column: its category → position in the one-hot block (empty for numeric columns). */
    private final List<Map<String, Integer>> categoryIndex;
    private final int width;
    /** Every column a row of this schema may carry: the features, the target and the ignored ones. */
    private final Set<String> knownColumns;

    public FeatureEncoder(DatasetSchema schema) {
        this.schema = schema;
        this.categoryIndex = schema.features().stream().map(FeatureEncoder::indexOf).toList();
        this.width = schema.encodedWidth();
        Set<String> known = new HashSet<>(schema.ignoredColumns());
        if (schema.targetColumn() != null) {
            known.add(schema.targetColumn());
        }
        schema.features().forEach(c -> known.add(c.name()));
        this.knownColumns = Set.copyOf(known);
    }

    /** Whether a row may carry this column (a feature, the target or an ignored column): others are most likely typos. */
    public boolean knowsColumn(String column) {
        return knownColumns.contains(column);
    }

    private static Map<String, Integer> indexOf(Column column) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < column.categories().size(); i++) {
            index.put(column.categories().get(i), i);
        }
        return index;
    }

    public DatasetSchema schema() {
        return schema;
    }

    /**
     * Encodes one row.
     *
     * @param rowLabel names the row in error messages, e.g. "line 12"
     * @param lookup   the cell of a column, by name; {@link CellValue#MISSING} when the row lacks it
     * @return {@link DatasetSchema#encodedWidth()} values
     */
    public float[] encodeRow(String rowLabel, Function<String, CellValue> lookup) {
        float[] out = new float[width];
        int offset = 0;
        List<Column> features = schema.features();
        for (int c = 0; c < features.size(); c++) {
            Column column = features.get(c);
            encodeCell(rowLabel, c, lookup.apply(column.name()), out, offset);
            offset += column.encodedWidth();
        }
        return out;
    }

    /**
     * One column of a batch, as {@link #encodeColumns} reads it: numbers by index without an object per
     * cell where the column holds numbers, else cells.
     */
    public interface ColumnReader {
        int length();

        /** True when {@link #number} gives the cells (NaN for a missing one); false to read {@link #cell}. */
        boolean numeric();

        double number(int row);

        CellValue cell(int row);
    }

    /**
     * Encodes a batch given column by column: the rows are those {@link #encodeRow} would encode from
     * the same cells, with the same rules and messages ("row i, column ..."), written row-major into one
     * array of rows × {@link DatasetSchema#encodedWidth()} values. A numeric column given as numbers is
     * encoded without an object per cell (the tensor path).
     *
     * @param lookup a feature column's values, or null when the request lacks the column (every row missing)
     */
    public float[] encodeColumns(int rows, Function<String, ColumnReader> lookup) {
        float[] out = new float[Math.multiplyExact(rows, width)];
        int offset = 0;
        List<Column> features = schema.features();
        for (int c = 0; c < features.size(); c++) {
            Column column = features.get(c);
            ColumnReader reader = lookup.apply(column.name());
            if (reader != null && reader.length() != rows) {
                throw new IllegalArgumentException("column " + column.name() + " has " + reader.length() + " values for "
                        + rows + " rows");
            }
            if (reader != null && reader.numeric() && column.kind() == ColumnKind.NUMERIC) {
                for (int r = 0, at = offset; r < rows; r++, at += width) {
                    double value = reader.number(r);
                    if (Double.isNaN(value)) {
                        encodeMissing(r, column, out, at);
                    } else {
                        out[at] = toFloat(r, column.name(), value);
                    }
                }
            } else {
                for (int r = 0, at = offset; r < rows; r++, at += width) {
                    encodeCell("row " + r, c, reader == null ? CellValue.MISSING : reader.cell(r), out, at);
                }
            }
            offset += column.encodedWidth();
        }
        return out;
    }

    /** The one rule per cell: feature {@code c}'s cell into {@code out} from {@code at} on. */
    private void encodeCell(String rowLabel, int c, CellValue cell, float[] out, int at) {
        Column column = schema.features().get(c);
        boolean missing = cell == null || cell.isMissing();
        if (missing) {
            requireMissingAllowed(rowLabel, column);
            markMissing(column, out, at);
        } else if (column.kind() == ColumnKind.NUMERIC) {
            out[at] = toFloat(rowLabel, column.name(), cell);
        } else {
            out[at + categoryPosition(rowLabel, column, categoryIndex.get(c), cell)] = 1f;
        }
    }

    private static void encodeMissing(int row, Column column, float[] out, int at) {
        if (!column.hasMissing()) {
            requireMissingAllowed("row " + row, column); // throws; the label is built only then
        }
        markMissing(column, out, at);
    }

    private static void requireMissingAllowed(String rowLabel, Column column) {
        if (!column.hasMissing()) {
            throw invalid(rowLabel, column.name(), "missing value; this column had no missing values in the data"
                    + " the model was trained on, so it needs one");
        }
    }

    private static void markMissing(Column column, float[] out, int at) {
        if (column.kind() == ColumnKind.NUMERIC) {
            out[at] = Float.NaN; // imputed where the model standardises its inputs
        }
        out[at + column.valueWidth()] = 1f;
    }

    /**
     * The target of a row: a finite number, or NaN when the row is unlabelled (target absent or
     * empty).
     */
    public double readTarget(String rowLabel, Function<String, CellValue> lookup) {
        String name = schema.targetColumn();
        CellValue cell = lookup.apply(name);
        if (cell == null || cell.isMissing()) {
            return Double.NaN;
        }
        double value = finiteNumber(rowLabel, name, cell);
        if (Float.isInfinite((float) value)) {
            // Models train and predict in float32: such a target would become infinity there.
            throw invalid(rowLabel, name, value + " is outside the float32 range of targets (about ±3.4e38);"
                    + " rescale the target column");
        }
        return value;
    }

    private static float toFloat(String rowLabel, String column, CellValue cell) {
        return checkedFloat(rowLabel, column, finiteNumber(rowLabel, column, cell));
    }

    /** A number given as such (not NaN: that is a missing cell), with the rules of {@link #finiteNumber}. */
    private static float toFloat(int row, String column, double value) {
        float f = (float) value;
        if (Double.isInfinite(value) || Float.isInfinite(f)) { // the label is built only for the message
            requireFinite("row " + row, column, value);
            return checkedFloat("row " + row, column, value);
        }
        return f;
    }

    private static float checkedFloat(String rowLabel, String column, double value) {
        float f = (float) value;
        if (Float.isInfinite(f)) {
            // Inputs are float32; a double beyond its range would reach the model as infinity.
            throw invalid(rowLabel, column, value + " is outside the float32 range of model inputs");
        }
        return f;
    }

    /** The one rule for numeric cells: a number, given as such or as number text, and finite. */
    private static double finiteNumber(String rowLabel, String column, CellValue cell) {
        double value;
        if (cell instanceof CellValue.Number n) {
            value = n.value();
        } else {
            String text = ((CellValue.Text) cell).value();
            Double parsed = NumberText.parse(text);
            if (parsed == null) {
                throw invalid(rowLabel, column, EchoedInput.quote(text) + " is not a number, and the column is numeric");
            }
            value = parsed;
        }
        requireFinite(rowLabel, column, value);
        return value;
    }

    private static int categoryPosition(String rowLabel, Column column, Map<String, Integer> index, CellValue cell) {
        String category;
        if (cell instanceof CellValue.Number n) {
            // A number names a category by its decimal text, so 2.0 from JSON matches the CSV's "2".
            requireFinite(rowLabel, column.name(), n.value());
            category = NumberText.canonical(n.value());
        } else {
            category = ((CellValue.Text) cell).value();
        }
        Integer position = index.get(category);
        if (position == null) {
            throw invalid(rowLabel, column.name(), "unknown category " + EchoedInput.quote(category) + "; known categories: "
                    + knownCategories(column));
        }
        return position;
    }

    private static void requireFinite(String rowLabel, String column, double value) {
        if (!Double.isFinite(value)) {
            throw invalid(rowLabel, column, "NaN and infinite values are not allowed (got " + value + ")");
        }
    }

    private static String knownCategories(Column column) {
        List<String> categories = column.categories();
        String shown = categories.stream().limit(CATEGORIES_SHOWN).map(EchoedInput::quote).collect(Collectors.joining(", "));
        int more = categories.size() - CATEGORIES_SHOWN;
        return more > 0 ? shown + " and " + more + " more" : shown;
    }

    private static HplException invalid(String rowLabel, String column, String problem) {
        return HplException.invalid(rowLabel + ", column " + EchoedInput.quote(column) + ": " + problem);
    }
}
