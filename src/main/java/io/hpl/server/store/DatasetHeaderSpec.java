package io.hpl.server.store;

import io.hpl.server.data.DatasetOptions;
import io.hpl.server.errors.HplException;
import java.util.List;
import java.util.TreeSet;

/**
 * The choices that come with an upload, before its bytes: a name for people, the target column,
 * and the columns to ignore or treat as categorical. Checked on construction, so an upload with a
 * bad header is refused before any bytes are stored.
 */
public record DatasetHeaderSpec(String name, String targetColumn, List<String> ignoreColumns, List<String> categoricalColumns) {
    /** Longest accepted name, in characters. */
    public static final int MAX_NAME_LENGTH = 200;

    public DatasetHeaderSpec {
        name = name == null ? "" : name;
        if (name.length() > MAX_NAME_LENGTH) {
            throw HplException.invalid("name is " + name.length() + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        ignoreColumns = ignoreColumns == null ? List.of() : List.copyOf(ignoreColumns);
        categoricalColumns = categoricalColumns == null ? List.of() : List.copyOf(categoricalColumns);
        DatasetOptions.infer(targetColumn, ignoreColumns, categoricalColumns); // the column rules live there
    }

    /** How to read the uploaded file. */
    public DatasetOptions options() {
        return DatasetOptions.infer(targetColumn, ignoreColumns, categoricalColumns);
    }

    /**
     * The choices that change what a dataset means, in a canonical form (lists as sorted sets):
     * two uploads of the same bytes with the same choices are the same dataset, whatever their
     * names or list orders.
     */
    List<Object> canonicalChoices() {
        return List.of(targetColumn, List.copyOf(new TreeSet<>(ignoreColumns)), List.copyOf(new TreeSet<>(categoricalColumns)));
    }
}
