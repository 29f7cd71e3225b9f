package io.hpl.server.data;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;

/**
 * Memory and CPU guards for table data, checked before the work they bound is done: a cell's
 * length before it is parsed (at upload and in Predict/Evaluate rows), a column's number of
 * categories before its one-hot block is allocated. Each refusal names its setting, so an operator
 * knows what to raise and a caller what to change.
 *
 * @param maxCellChars           most characters in one cell ({@code hpl.tables.max-cell-chars})
 * @param maxCategoriesPerColumn most distinct categories of one categorical column
 *                               ({@code hpl.tables.max-categories-per-column})
 */
public record TableLimits(int maxCellChars, int maxCategoriesPerColumn) {
    /** The defaults of {@code ServerConfig.Tables}. */
    public static final TableLimits DEFAULTS = new TableLimits(1000, 1000);

    public TableLimits {
        if (maxCellChars <= 0 || maxCategoriesPerColumn <= 0) {
            throw new IllegalArgumentException("table limits must be positive: " + maxCellChars + ", " + maxCategoriesPerColumn);
        }
    }

    /**
     * Refuses a cell longer than {@link #maxCellChars}. INVALID_ARGUMENT rather than
     * RESOURCE_EXHAUSTED: no number or category is that long, so the same request will never pass.
     *
     * @param rowLabel e.g. "line 12" or "row 3"
     */
    public void checkCell(String rowLabel, String column, String text) {
        if (text != null && text.length() > maxCellChars) {
            throw HplException.invalid(rowLabel + ", column " + EchoedInput.quote(column) + ": the cell has "
                    + text.length() + " characters; the limit is " + maxCellChars
                    + " (hpl.tables.max-cell-chars): no number or category needs more");
        }
    }

    /** Refuses a categorical column with more than {@link #maxCategoriesPerColumn} distinct values. */
    void checkCategories(String column, int categories) {
        if (categories > maxCategoriesPerColumn) {
            throw HplException.exhausted("column " + EchoedInput.quote(column) + " has more than " + maxCategoriesPerColumn
                    + " distinct categories, the limit (hpl.tables.max-categories-per-column): each category is one"
                    + " input of the model. If it is an id or free text, list it in ignore_columns; if it is a number,"
                    + " make sure every cell is number text");
        }
    }
}
