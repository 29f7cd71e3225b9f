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
}
