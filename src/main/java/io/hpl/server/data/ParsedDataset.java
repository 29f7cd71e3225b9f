package io.hpl.server.data;

/**
 * A dataset file read into memory: its rows encoded with {@code table.schema()}, unlabelled rows
 * having a NaN target.
 */
public record ParsedDataset(Table table) {

    public DatasetSchema schema() {
        return table.schema();
    }
}
