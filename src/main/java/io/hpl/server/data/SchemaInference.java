package io.hpl.server.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Works out a schema from the data. A feature column is categorical when the options list it, or
 * when one of its non-empty cells is not number text ({@link NumberText}); otherwise numeric. A
 * categorical column's categories are its distinct non-empty cells, sorted.
 *
 * <p>Streams the file up to twice, first for the kinds and then for the categorical columns'
 * values, so that only categorical columns' distinct values are ever held in memory (holding them
 * for every column until the kinds are known could mean a copy of a large numeric file).
 */
final class SchemaInference {
    private final Path csv;
    private final DatasetOptions options;
    /** Feature columns in file order: every header column but the target and the ignored ones. */
    private final List<String> features;
    /** The ignored columns, in file order. */
    private final List<String> ignored;

    SchemaInference(Path csv, List<String> header, DatasetOptions options) {
        this.csv = csv;
        this.options = options;
        this.features = header.stream()
                .filter(name -> !name.equals(options.targetColumn()) && !options.ignoreColumns().contains(name))
                .toList();
        this.ignored = header.stream().filter(options.ignoreColumns()::contains).toList();
    }

    DatasetSchema infer() {
        Map<String, TreeSet<String>> categories = collectCategories(categoricalColumns());
        List<Column> columns = new ArrayList<>();
        for (String name : features) {
            TreeSet<String> seen = categories.get(name);
            columns.add(seen == null ? Column.numeric(name) : Column.categorical(name, List.copyOf(seen)));
        }
        return new DatasetSchema(options.targetColumn(), columns, ignored);
    }

    /** The categorical feature columns, in file order: the listed ones, then any with non-number text. */
    private List<String> categoricalColumns() {
        List<String> undecided = features.stream().filter(name -> !options.categoricalColumns().contains(name)).toList();
        List<String> textual = new ArrayList<>();
        if (!undecided.isEmpty()) {
            List<String> stillNumeric = new ArrayList<>(undecided);
            try (CsvFile file = CsvFile.open(csv)) {
                file.forEachRow(row -> stillNumeric.removeIf(
                        name -> !row.cell(name).isMissing() && NumberText.parse(row.text(name)) == null));
            }
            undecided.stream().filter(name -> !stillNumeric.contains(name)).forEach(textual::add);
        }
        return features.stream().filter(name -> options.categoricalColumns().contains(name) || textual.contains(name)).toList();
    }

    private Map<String, TreeSet<String>> collectCategories(List<String> categorical) {
        Map<String, TreeSet<String>> categories = new HashMap<>();
        categorical.forEach(name -> categories.put(name, new TreeSet<>()));
        if (!categorical.isEmpty()) {
            try (CsvFile file = CsvFile.open(csv)) {
                file.forEachRow(row -> {
                    for (String name : categorical) {
                        if (!row.cell(name).isMissing()) {
                            categories.get(name).add(row.text(name));
                        }
                    }
                });
            }
        }
        return categories;
    }
}
