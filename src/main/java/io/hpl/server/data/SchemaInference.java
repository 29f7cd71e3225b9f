package io.hpl.server.data;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Works out a schema from the data. A feature column is categorical when the options list it, or
 * when one of its non-empty cells is not number text ({@link NumberText}); otherwise numeric. A
 * categorical column's categories are its distinct non-empty cells, sorted, at most
 * {@link TableLimits#maxCategoriesPerColumn()} of them. A column with empty
 * cells is marked {@link Column#hasMissing()}; one with no filled cell at all is an error.
 *
 * <p>Streams the file twice at most, first for the kinds and empty cells and then for the
 * categorical columns' values, so that only categorical columns' distinct values are ever held in
 * memory (holding them for every column until the kinds are known could mean a copy of a large
 * numeric file).
 */
final class SchemaInference {
    private final Path csv;
    private final DatasetOptions options;
    /** Feature columns in file order: every header column but the target and the ignored ones. */
    private final List<String> features;
    /** The ignored columns, in file order. */
    private final List<String> ignored;
    private final TableLimits limits;

    SchemaInference(Path csv, List<String> header, DatasetOptions options, TableLimits limits) {
        this.csv = csv;
        this.limits = limits;
        this.options = options;
        this.features = header.stream()
                .filter(name -> !name.equals(options.targetColumn()) && !options.ignoreColumns().contains(name))
                .toList();
        this.ignored = header.stream().filter(options.ignoreColumns()::contains).toList();
    }

    DatasetSchema infer() {
        if (features.isEmpty()) {
            // Refused here rather than at training, where it surfaced as a misleading error.
            throw HplException.invalid("no feature columns: every column but the target " + EchoedInput.quote(options.targetColumn())
                    + " is listed in ignore_columns; keep at least one column as a feature");
        }
        CellSurvey survey = survey();
        Map<String, TreeSet<String>> categories = collectCategories(categoricalColumns(survey));
        List<Column> columns = new ArrayList<>();
        for (String name : features) {
            if (survey.rows > 0 && !survey.filled.contains(name)) { // no rows at all is reported when encoding
                throw HplException.invalid("column " + EchoedInput.quote(name) + " is empty in every row; list it in ignore_columns"
                        + " (or fill it in)");
            }
            TreeSet<String> seen = categories.get(name);
            Column column = seen == null ? Column.numeric(name) : Column.categorical(name, List.copyOf(seen));
            columns.add(survey.withMissing.contains(name) ? column.withMissing() : column);
        }
        return new DatasetSchema(options.targetColumn(), columns, ignored);
    }

    /**
     * What one pass over the file tells about each feature column: whether some non-empty cell is
     * not a number, whether some cell is empty, whether some cell is filled.
     */
    private record CellSurvey(Set<String> textual, Set<String> withMissing, Set<String> filled, long rows) {
    }

    private CellSurvey survey() {
        Set<String> textual = new HashSet<>();
        Set<String> withMissing = new HashSet<>();
        Set<String> filled = new HashSet<>();
        long rows;
        try (CsvFile file = CsvFile.open(csv, limits)) {
            rows = file.forEachRow(row -> {
                for (String name : features) {
                    if (row.cell(name).isMissing()) {
                        withMissing.add(name);
                        continue;
                    }
                    filled.add(name);
                    if (!textual.contains(name) && NumberText.parse(row.text(name)) == null) {
                        textual.add(name);
                    }
                }
            });
        }
        return new CellSurvey(textual, withMissing, filled, rows);
    }

    /**
     * The categorical feature columns, in file order: the listed ones, then any with non-number
     * text. Empty cells do not count: a numeric column with empty cells stays numeric.
     */
    private List<String> categoricalColumns(CellSurvey survey) {
        return features.stream()
                .filter(name -> options.categoricalColumns().contains(name) || survey.textual.contains(name))
                .toList();
    }

    private Map<String, TreeSet<String>> collectCategories(List<String> categorical) {
        Map<String, TreeSet<String>> categories = new HashMap<>();
        categorical.forEach(name -> categories.put(name, new TreeSet<>()));
        if (!categorical.isEmpty()) {
            try (CsvFile file = CsvFile.open(csv, limits)) {
                file.forEachRow(row -> {
                    for (String name : categorical) {
                        TreeSet<String> seen = categories.get(name);
                        if (!row.cell(name).isMissing() && seen.add(row.text(name))) {
                            // Checked as they come: the one-hot width is allocated only after this pass.
                            limits.checkCategories(name, seen.size());
                        }
                    }
                });
            }
        }
        return categories;
    }
}
