package io.hpl.server.data;

import java.util.List;

/**
 * One feature column. A categorical column lists the categories seen in its training data,
 * sorted; they become one-hot inputs in that order. A numeric column has no categories.
 *
 * <p>{@code hasMissing}: some cells of the column were empty in the data the schema was inferred
 * from. Such a column gets one more encoded input after its own, the missing indicator
 * ({@code name__missing}, 1 when the cell is missing): for a numeric column the value itself is
 * then NaN (imputed before any regressor sees it); for a categorical column the one-hot block is
 * all zeros, so "missing" is a category of its own that cannot clash with a real one. A column
 * without missing values refuses a missing cell, as before.
 */
public record Column(String name, ColumnKind kind, List<String> categories, boolean hasMissing) {
    /** Suffix of the missing indicator's encoded name. */
    public static final String MISSING_SUFFIX = "__missing";

    public Column {
        categories = List.copyOf(categories);
    }

    /** A column without missing values. */
    public Column(String name, ColumnKind kind, List<String> categories) {
        this(name, kind, categories, false);
    }

    public static Column numeric(String name) {
        return new Column(name, ColumnKind.NUMERIC, List.of());
    }

    public static Column categorical(String name, List<String> categories) {
        return new Column(name, ColumnKind.CATEGORICAL, categories);
    }

    /** This column, marked as having had missing values. */
    public Column withMissing() {
        return new Column(name, kind, categories, true);
    }

    /** How many model inputs the column's value becomes: 1, or one per category. */
    public int valueWidth() {
        return kind == ColumnKind.NUMERIC ? 1 : categories.size();
    }

    /** How many model inputs this column becomes: its value, then the missing indicator if it has one. */
    public int encodedWidth() {
        return valueWidth() + (hasMissing ? 1 : 0);
    }
}
