package io.hpl.server.data;

/**
 * One cell of an input row before encoding, whatever its source: a CSV cell (always text), or a
 * value of a prediction request (a JSON number, a string, or absent). Keeping the source's own
 * type lets the encoder apply one set of rules to every source.
 */
public sealed interface CellValue permits CellValue.Number, CellValue.Text, CellValue.Missing {

    /** The one absent cell. */
    CellValue MISSING = new Missing();

    /** A value given as a number, e.g. a JSON number. */
    record Number(double value) implements CellValue {
    }

    /** A value given as text, e.g. a CSV cell or a JSON string. */
    record Text(String value) implements CellValue {
        public Text {
            if (value == null) {
                throw new IllegalArgumentException("text cell value must not be null; use CellValue.MISSING");
            }
        }
    }

    /** No value: the column is absent from the row, or its JSON value is null. */
    record Missing() implements CellValue {
    }

    /** Text as a cell; null becomes {@link #MISSING}. */
    static CellValue text(String value) {
        return value == null ? MISSING : new Text(value);
    }

    /**
     * True when the cell carries no value. Empty (or blank) text counts as missing, so an empty
     * CSV cell and an absent JSON field mean the same thing.
     */
    default boolean isMissing() {
        return this instanceof Missing || (this instanceof Text t && t.value().isBlank());
    }
}
