package io.hpl.server.data;

import java.util.Arrays;

/**
 * A table already in memory, handed out a chunk at a time: for image datasets, whose decoded pixels
 * the store keeps as one table file and reads whole (see {@code DatasetStore}).
 */
public final class TableRowChunks implements RowChunks {
    private final Table table;
    private final boolean unlabelledOnly;
    private int next;

    public TableRowChunks(Table table, boolean unlabelledOnly) {
        this.table = table;
        this.unlabelledOnly = unlabelledOnly;
    }

    @Override
    public RowChunk next(int maxRows) {
        long[] index = new long[maxRows];
        float[][] x = new float[maxRows][];
        double[] y = new double[maxRows];
        int n = 0;
        for (; n < maxRows && next < table.rows(); next++) {
            if (unlabelledOnly && !Double.isNaN(table.y()[next])) {
                continue;
            }
            index[n] = next;
            x[n] = table.x()[next];
            y[n] = table.y()[next];
            n++;
        }
        return n == 0 ? null : new RowChunk(Arrays.copyOf(index, n), null, Arrays.copyOf(x, n), Arrays.copyOf(y, n));
    }

    @Override
    public void close() {
        // nothing held but the table, which the collector takes
    }
}
