package io.hpl.server.data;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a CSV dataset (RFC 4180, UTF-8, header line first) into a {@link Table}. The schema is
 * either inferred from the data ({@link SchemaInference}) or fixed by the options, e.g. a model's
 * schema when scoring it on new data. Rows are encoded by {@link FeatureEncoder}; rows whose
 * target cell is empty are unlabelled. Every error is an {@link HplException} naming the line and
 * column at fault.
 *
 * <p>The file is streamed, once to read the rows and up to twice more to infer the schema, so its
 * text is never held in memory; only the encoded table is. Stateless and thread-safe.
 */
public final class CsvDatasetReader {
    /** How many header columns an unknown-column error lists. */
    private static final int COLUMNS_SHOWN = 20;

    private final TableLimits limits;

    /** A reader with the default {@link TableLimits}. */
    public CsvDatasetReader() {
        this(TableLimits.DEFAULTS);
    }

    public CsvDatasetReader(TableLimits limits) {
        this.limits = limits;
    }

    public ParsedDataset read(Path csv, DatasetOptions options) {
        List<String> header;
        try (CsvFile file = CsvFile.open(csv, limits)) {
            header = file.header();
        }
        requireColumns(header, options);
        DatasetSchema schema = options.schema()
                .map(fixed -> withTarget(header, options.targetColumn(), fixed))
                .orElseGet(() -> new SchemaInference(csv, header, options, limits).infer());
        return new ParsedDataset(encode(csv, schema));
    }

    /**
     * Opens a CSV dataset to be read a chunk at a time with the options' fixed schema (a model's),
     * checking its header as {@link #read} does; {@code idColumn} (null for none) names a column whose
     * text comes with each row. The caller closes the result.
     */
    public RowChunks openChunks(Path csv, DatasetOptions options, String idColumn, boolean unlabelledOnly) {
        DatasetSchema fixed = options.schema()
                .orElseThrow(() -> new IllegalArgumentException("reading in chunks needs a fixed schema"));
        CsvFile file = CsvFile.open(csv, limits);
        try {
            requireColumns(file.header(), options);
            if (idColumn != null) {
                requireColumn(file.header(), "id column (id_column)", idColumn);
            }
            return new CsvRowChunks(file, withTarget(file.header(), options.targetColumn(), fixed), idColumn, unlabelledOnly);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Every column the options name must be in the header. */
    private static void requireColumns(List<String> header, DatasetOptions options) {
        // The roles name the request fields that set them, so the message says what to change.
        requireColumn(header, "target column (target_column)", options.targetColumn());
        options.ignoreColumns().forEach(name -> requireColumn(header, "ignore column (ignore_columns)", name));
        options.categoricalColumns().forEach(name -> requireColumn(header, "categorical column (categorical_columns)", name));
        options.schema().ifPresent(fixed -> fixed.features()
                .forEach(column -> requireColumn(header, "feature column of the model's schema", column.name())));
    }

    private static void requireColumn(List<String> header, String role, String name) {
        if (!header.contains(name)) {
            throw HplException.invalid(CsvFile.headerLabel() + ": " + role + " " + EchoedInput.quote(name) + " is not in the header; columns: "
                    + describe(header));
        }
    }

    private static String describe(List<String> header) {
        String shown = header.stream().limit(COLUMNS_SHOWN).map(EchoedInput::shorten).collect(Collectors.joining(", "));
        int more = header.size() - COLUMNS_SHOWN;
        return more > 0 ? shown + " and " + more + " more" : shown;
    }

    /**
     * The fixed schema's features with this file's target; every other column of the file is
     * ignored.
     */
    private static DatasetSchema withTarget(List<String> header, String target, DatasetSchema fixed) {
        List<String> featureNames = fixed.features().stream().map(Column::name).toList();
        List<String> ignored = header.stream().filter(name -> !name.equals(target) && !featureNames.contains(name)).toList();
        return new DatasetSchema(target, fixed.features(), ignored);
    }

    private Table encode(Path csv, DatasetSchema schema) {
        FeatureEncoder encoder = new FeatureEncoder(schema);
        List<float[]> x = new ArrayList<>();
        double[][] y = {new double[1024]}; // grown by doubling: boxing millions of targets would cost more than the table
        long rows;
        try (CsvFile file = CsvFile.open(csv, limits)) {
            rows = file.forEachRow(row -> {
                int i = x.size();
                x.add(encoder.encodeRow(row.label(), row::cell));
                if (i == y[0].length) {
                    y[0] = Arrays.copyOf(y[0], 2 * i);
                }
                y[0][i] = encoder.readTarget(row.label(), row::cell);
            });
        }
        if (rows == 0) {
            throw HplException.invalid("the CSV file has a header but no data rows");
        }
        Table table = new Table(schema, x.toArray(new float[0][]), Arrays.copyOf(y[0], x.size()));
        if (table.labelledRows() == 0) {
            throw HplException.precondition("no labelled rows: the target column '" + schema.targetColumn()
                    + "' is empty in all " + rows + " rows; at least one row needs a target value");
        }
        return table;
    }
}
