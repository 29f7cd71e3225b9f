package io.hpl.server.data;

/** How a feature column enters the model: as a number, or one-hot over its categories. */
public enum ColumnKind {
    NUMERIC,
    CATEGORICAL
}
