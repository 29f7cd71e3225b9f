package io.hpl.server.data;

import java.util.Arrays;

/**
 * A CSV dataset read a chunk at a time through {@link CsvFile} (the same file rules and line labels
 * as {@link CsvDatasetReader}), each row encoded by {@link FeatureEncoder} with a fixed schema.
 * Holds the open file and at most one chunk.
 */
final class CsvRowChunks implements RowChunks {
    private final CsvFile file;
    private final FeatureEncoder encoder;
    private final String idColumn;
    private final boolean unlabelledOnly;
    private long nextIndex;

    CsvRowChunks(CsvFile file, DatasetSchema schema, String idColumn, boolean unlabelledOnly) {
        this.file = file;
        this.encoder = new FeatureEncoder(schema);
        this.idColumn = idColumn;
        this.unlabelledOnly = unlabelledOnly;
    }

    @Override
    public RowChunk next(int maxRows) {
        long[] index = new long[maxRows];
        String[] ids = idColumn == null ? null : new String[maxRows];
        float[][] x = new float[maxRows][];
        double[] y = new double[maxRows];
        int n = 0;
        while (n < maxRows) {
            CsvFile.Row row = file.nextRow();
            if (row == null) {
                break;
            }
            long i = nextIndex++;
            double target = encoder.readTarget(row.label(), row::cell);
            if (unlabelledOnly && !Double.isNaN(target)) {
                continue;
            }
            index[n] = i;
            if (ids != null) {
                ids[n] = row.text(idColumn);
            }
            x[n] = encoder.encodeRow(row.label(), row::cell);
            y[n] = target;
            n++;
        }
        if (n == 0) {
            return null;
        }
        return n == maxRows ? new RowChunk(index, ids, x, y)
                : new RowChunk(Arrays.copyOf(index, n), ids == null ? null : Arrays.copyOf(ids, n), Arrays.copyOf(x, n),
                        Arrays.copyOf(y, n));
    }

    @Override
    public void close() {
        file.close();
    }
}
