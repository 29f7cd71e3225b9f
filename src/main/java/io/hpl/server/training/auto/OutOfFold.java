package io.hpl.server.training.auto;

import io.hpl.server.data.Table;
import io.hpl.server.training.RowShuffle;
import java.util.List;
import java.util.Random;

/**
 * Folds of AUTO's labelled training rows for small tables. With under
 * {@link AutoMethod#MIN_CALIBRATION_ROWS_TO_SELECT} calibration rows, a choice among candidates made on
 * them is mostly noise (on 60 rows the candidate ranked last there was first on new rows), so AUTO
 * then chooses on out-of-fold predictions of the training rows, several times as many, and keeps the
 * calibration rows for σ² and the conformal scores alone.
 */
final class OutOfFold {
    static final int FOLDS = 5;

    private OutOfFold() {
    }

    /** The fold of each training row (positions in {@code training}), dealt at random. */
    static int[] folds(int rows, long seed) {
        int[] fold = new int[rows];
        int[] order = RowShuffle.of(rows, new Random(seed * 104729 + 11));
        for (int i = 0; i < rows; i++) {
            fold[order[i]] = i % FOLDS;
        }
        return fold;
    }

    /**
     * The table a fold's model trains on: labels kept on the training rows outside fold {@code f} only;
     * every other row (the fold, AUTO's calibration rows, the unlabelled rows) is unlabelled to it.
     */
    static Table foldTable(Table table, List<Integer> training, int[] fold, int f) {
        double[] y = new double[table.rows()];
        java.util.Arrays.fill(y, Double.NaN);
        for (int i = 0; i < training.size(); i++) {
            if (fold[i] != f) {
                int row = training.get(i);
                y[row] = table.y()[row];
            }
        }
        return new Table(table.schema(), table.x(), y);
    }
}
