package io.hpl.server.training;

import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.Table;
import java.util.List;
import java.util.Random;

/** Generated regression tables for training tests: y = sin(2·a) + 0.5·b + c-effect + noise. */
public final class SyntheticTables {
    private SyntheticTables() {
    }

    public static Table make(int labelled, int unlabelled, long seed) {
        DatasetSchema schema = new DatasetSchema("y",
                List.of(Column.numeric("a"), Column.numeric("b"), Column.categorical("c", List.of("p", "q", "r"))),
                List.of());
        Random random = new Random(seed);
        int n = labelled + unlabelled;
        float[][] x = new float[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian() * 10 + 100;
            int c = random.nextInt(3);
            x[i] = new float[] {(float) a, (float) b, c == 0 ? 1 : 0, c == 1 ? 1 : 0, c == 2 ? 1 : 0};
            double target = Math.sin(2 * a) + 0.05 * (b - 100) + (c - 1) * 0.7 + 0.1 * random.nextGaussian();
            y[i] = i < labelled ? target : Double.NaN;
        }
        return new Table(schema, x, y);
    }

    /** {@code numeric} Gaussian columns plus one 4-level categorical; y linear plus a sine, for timing runs. */
    public static Table wide(int labelled, int unlabelled, int numeric, long seed) {
        List<Column> columns = new java.util.ArrayList<>();
        for (int j = 0; j < numeric; j++) {
            columns.add(Column.numeric("x" + j));
        }
        columns.add(Column.categorical("k", List.of("a", "b", "c", "d")));
        DatasetSchema schema = new DatasetSchema("y", columns, List.of());
        Random random = new Random(seed);
        int n = labelled + unlabelled;
        float[][] x = new float[n][numeric + 4];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double target = 0;
            for (int j = 0; j < numeric; j++) {
                x[i][j] = (float) random.nextGaussian();
                target += x[i][j] / (j + 1.0);
            }
            int k = random.nextInt(4);
            x[i][numeric + k] = 1;
            target += Math.sin(2 * x[i][0]) + 0.3 * k + 0.1 * random.nextGaussian();
            y[i] = i < labelled ? target : Double.NaN;
        }
        return new Table(schema, x, y);
    }

    /**
     * {@link #make}'s table with each feature cell missing with probability {@code fraction}, encoded
     * as the FeatureEncoder encodes an empty cell: a, b NaN, c's one-hot block all zero, and the
     * column's missing indicator 1. Columns: a, a__missing, b, b__missing, c=p, c=q, c=r, c__missing.
     */
    public static Table withMissing(int labelled, int unlabelled, double fraction, long seed) {
        Table full = make(labelled, unlabelled, seed);
        DatasetSchema schema = new DatasetSchema("y", full.schema().features().stream().map(Column::withMissing).toList(),
                List.of());
        Random random = new Random(seed + 1000);
        float[][] x = new float[full.rows()][];
        for (int i = 0; i < x.length; i++) {
            float[] f = full.x()[i];
            boolean a = random.nextDouble() < fraction;
            boolean b = random.nextDouble() < fraction;
            boolean c = random.nextDouble() < fraction;
            x[i] = new float[] {a ? Float.NaN : f[0], a ? 1 : 0, b ? Float.NaN : f[1], b ? 1 : 0,
                    c ? 0 : f[2], c ? 0 : f[3], c ? 0 : f[4], c ? 1 : 0};
        }
        return new Table(schema, x, full.y());
    }
}
