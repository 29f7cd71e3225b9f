package io.hpl.server.training;

import io.hpl.server.model.PiecewiseLinearEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits the bins of a {@link PiecewiseLinearEncoding} on standardised training rows: for each numeric
 * column, edges at its quantiles t/bins (t = 0…bins); repeated edges (a column with few distinct
 * values) collapse, so such a column gets fewer bins, and a constant one passes through. One-hot
 * columns always pass through.
 */
public final class PiecewiseLinearFit {
    private PiecewiseLinearFit() {
    }

    /** {@code rows} standardised [n][d] (labelled training and unlabelled rows: those the standardizer saw). */
    public static PiecewiseLinearEncoding fit(List<float[][]> rows, boolean[] oneHot, int bins) {
        int d = oneHot.length;
        if (bins == 0) {
            return PiecewiseLinearEncoding.identity(d);
        }
        List<Integer> source = new ArrayList<>();
        List<float[]> bounds = new ArrayList<>(); // lower, width, floor, upper
        for (int j = 0; j < d; j++) {
            float[] edges = oneHot[j] ? new float[0] : edges(column(rows, j), bins);
            if (edges.length < 2) {
                source.add(j);
                bounds.add(new float[] {0f, 1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY});
                continue;
            }
            int t = edges.length - 1;
            for (int b = 0; b < t; b++) {
                source.add(j);
                bounds.add(new float[] {edges[b], edges[b + 1] - edges[b],
                        b == 0 ? Float.NEGATIVE_INFINITY : 0f, b == t - 1 ? Float.POSITIVE_INFINITY : 1f});
            }
        }
        int e = source.size();
        float[][] columns = new float[4][e];
        for (int i = 0; i < e; i++) {
            for (int c = 0; c < 4; c++) {
                columns[c][i] = bounds.get(i)[c];
            }
        }
        return new PiecewiseLinearEncoding(d, source.stream().mapToInt(Integer::intValue).toArray(),
                columns[0], columns[1], columns[2], columns[3]);
    }

    private static float[] column(List<float[][]> rows, int j) {
        int n = rows.stream().mapToInt(r -> r.length).sum();
        float[] values = new float[n];
        int i = 0;
        for (float[][] part : rows) {
            for (float[] row : part) {
                values[i++] = row[j];
            }
        }
        return values;
    }

    /** Distinct quantile edges, increasing; fewer than two when the column is constant. */
    static float[] edges(float[] values, int bins) {
        if (values.length == 0) {
            return new float[0];
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        float[] edges = new float[bins + 1];
        int count = 0;
        for (int t = 0; t <= bins; t++) {
            float q = sorted[(int) Math.round((double) t * (sorted.length - 1) / bins)];
            // Widths must be positive in float32 once subtracted, hence a strict comparison of the floats.
            if (count == 0 || q > edges[count - 1]) {
                edges[count++] = q;
            }
        }
        return Arrays.copyOf(edges, count);
    }
}
