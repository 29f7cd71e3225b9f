package io.hpl.server.training.auto;

import io.hpl.server.training.RowShuffle;
import java.util.Random;

/**
 * Non-negative blend weights that sum to 1, chosen to minimise the mean absolute error on held-out
 * rows (the metric users compare models by). The simplex is searched on a grid: with a handful of
 * candidates that is exact enough, cannot diverge, and needs no solver.
 */
final class BlendWeights {
    /** At most this many grid points: steps of 1/20 = 0.05 for up to 5 candidates (10,626 points), coarser beyond. */
    private static final int MAX_GRID_POINTS = 20_000;

    private BlendWeights() {
    }

    /**
     * @param outputs outputs[k][i]: candidate k on row i
     * @param y       the rows' targets, in the outputs' units
     * @param rows    which rows to fit on
     */
    static double[] fit(double[][] outputs, double[] y, int[] rows) {
        int k = outputs.length;
        int steps = 20;
        while (steps > 2 && combinations(steps, k) > MAX_GRID_POINTS) {
            steps--;
        }
        double[] best = new double[k];
        double[] bestMae = {Double.POSITIVE_INFINITY};
        search(outputs, y, rows, steps, new int[k], 0, steps, best, bestMae);
        return best;
    }

    /** Mean absolute error of the blend {@code w} on {@code rows}. */
    static double mae(double[][] outputs, double[] w, double[] y, int[] rows) {
        double sum = 0;
        for (int i : rows) {
            sum += Math.abs(blend(outputs, w, i) - y[i]);
        }
        return sum / rows.length;
    }

    /** Mean absolute error of predictions {@code p}. */
    static double mae(double[] p, double[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += Math.abs(p[i] - y[i]);
        }
        return sum / y.length;
    }

    static double blend(double[][] outputs, double[] w, int row) {
        double v = 0;
        for (int k = 0; k < w.length; k++) {
            v += w[k] * outputs[k][row];
        }
        return v;
    }

    /** The one-hot weight of the candidate with the lowest MAE on {@code rows}. */
    static double[] bestSingle(double[][] outputs, double[] y, int[] rows) {
        double[] best = null;
        double bestMae = Double.POSITIVE_INFINITY;
        for (int k = 0; k < outputs.length; k++) {
            double[] w = new double[outputs.length];
            w[k] = 1;
            double mae = mae(outputs, w, y, rows);
            if (mae < bestMae) {
                bestMae = mae;
                best = w;
            }
        }
        return best;
    }

    /** Rows 0..n-1 dealt into two halves at random. */
    static int[][] halves(int n, long seed) {
        int[] order = RowShuffle.of(n, new Random(seed * 7919 + 3));
        int[] a = java.util.Arrays.copyOfRange(order, 0, n / 2);
        int[] b = java.util.Arrays.copyOfRange(order, n / 2, n);
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        return new int[][] {a, b};
    }

    private static void search(double[][] outputs, double[] y, int[] rows, int steps, int[] units, int at, int left,
                               double[] best, double[] bestMae) {
        if (at == units.length - 1) {
            units[at] = left;
            double[] w = new double[units.length];
            for (int k = 0; k < w.length; k++) {
                w[k] = units[k] / (double) steps;
            }
            double mae = mae(outputs, w, y, rows);
            if (mae < bestMae[0] - 1e-12) {
                bestMae[0] = mae;
                System.arraycopy(w, 0, best, 0, w.length);
            }
            return;
        }
        for (int u = left; u >= 0; u--) {
            units[at] = u;
            search(outputs, y, rows, steps, units, at + 1, left - u, best, bestMae);
        }
    }

    /** Points on the simplex grid: C(steps + k − 1, k − 1). */
    private static long combinations(int steps, int k) {
        long c = 1;
        for (int i = 1; i < k; i++) {
            c = c * (steps + i) / i;
        }
        return c;
    }
}
