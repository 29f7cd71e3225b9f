package io.hpl.server.data;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How to read a dataset file: which column is the target, which columns are neither feature nor
 * target, and which to treat as categorical whatever they contain. With a fixed schema the
 * features and their encoding come from that schema instead (scoring a model on new data): the
 * categorical list is then unused, and columns the schema does not name are ignored.
 *
 * <p>The choices are checked on construction, so a bad request fails before any data is read.
 *
 * @param fixedSchema null to infer the schema from the data
 */
public record DatasetOptions(String targetColumn, List<String> ignoreColumns, List<String> categoricalColumns,
        DatasetSchema fixedSchema) {

    public DatasetOptions {
        if (targetColumn == null || targetColumn.isBlank()) {
            throw HplException.invalid("target_column is required");
        }
        ignoreColumns = distinct("ignore_columns", ignoreColumns);
        categoricalColumns = distinct("categorical_columns", categoricalColumns);
        if (ignoreColumns.contains(targetColumn)) {
            throw HplException.invalid("target column " + EchoedInput.quote(targetColumn) + " is also listed in ignore_columns");
        }
        if (categoricalColumns.contains(targetColumn)) {
            throw HplException.invalid("target column " + EchoedInput.quote(targetColumn) + " is also listed in categorical_columns;"
                    + " the target must be numeric");
        }
        for (String c : categoricalColumns) {
            if (ignoreColumns.contains(c)) {
                throw HplException.invalid("column " + EchoedInput.quote(c) + " is listed both in ignore_columns and in categorical_columns");
            }
        }
        if (fixedSchema != null && fixedSchema.features().stream().anyMatch(f -> f.name().equals(targetColumn))) {
            throw HplException.invalid("target column " + EchoedInput.quote(targetColumn) + " is a feature of the given schema");
        }
    }

    /** Options that infer the schema from the data. */
    public static DatasetOptions infer(String targetColumn, List<String> ignoreColumns, List<String> categoricalColumns) {
        return new DatasetOptions(targetColumn, ignoreColumns, categoricalColumns, null);
    }

    /** Options that encode the features with {@code schema} and read the target from {@code targetColumn}. */
    public static DatasetOptions withSchema(String targetColumn, DatasetSchema schema) {
        return new DatasetOptions(targetColumn, List.of(), List.of(), schema);
    }

    public Optional<DatasetSchema> schema() {
        return Optional.ofNullable(fixedSchema);
    }

    private static List<String> distinct(String field, List<String> names) {
        if (names == null) {
            return List.of();
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw HplException.invalid(field + " contains an empty column name");
            }
            seen.add(name);
        }
        return List.copyOf(seen);
    }
}
