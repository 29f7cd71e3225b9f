package io.hpl.server.data;

import java.util.List;

/**
 * One feature column. A categorical column lists the categories seen in its training data,
 * sorted; they become one-hot inputs in that order. A numeric column has no categories.
 */
public record Column(String name, ColumnKind kind, List<String> categories) {
    public Column {
        categories = List.copyOf(categories);
    }

    public static Column numeric(String name) {
        return new Column(name, ColumnKind.NUMERIC, List.of());
    }

    public static Column categorical(String name, List<String> categories) {
        return new Column(name, ColumnKind.CATEGORICAL, categories);
    }

    /** How many model inputs this column becomes. */
    public int encodedWidth() {
        return kind == ColumnKind.NUMERIC ? 1 : categories.size();
    }
}
