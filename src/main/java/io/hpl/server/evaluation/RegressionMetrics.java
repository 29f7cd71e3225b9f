package io.hpl.server.evaluation;

import io.hpl.server.model.GaussianIntervals;
import io.hpl.server.model.IntervalRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Computes {@link Metrics} from targets, predicted means and predicted variances. */
public final class RegressionMetrics {
    /** Two-sided 90% quantile of the standard normal. */
    public static final double Z90 = 1.6448536269514722;

    /** The nominal levels of the reliability curve; Metrics in the API name 0.5, 0.8, 0.9 and 0.95. */
    public static final double[] LEVELS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};

    private RegressionMetrics() {
    }

    /** With the Gaussian intervals of σ² as the served ones (models without conformal calibration). */
    public static Metrics compute(double[] y, double[] mean, double[] variance) {
        return compute(y, mean, variance, new GaussianIntervals());
    }

    /** {@code intervals}: how the served intervals are built, for the reliability curve. */
    public static Metrics compute(double[] y, double[] mean, double[] variance, IntervalRule intervals) {
        int n = y.length;
        if (n == 0 || mean.length != n || variance.length != n) {
            throw new IllegalArgumentException("need the same, non-zero number of targets, means and variances");
        }
        double yMean = Arrays.stream(y).average().orElse(0);
        double absSum = 0;
        double sqSum = 0;
        double totalSq = 0;
        double nllSum = 0;
        int covered = 0;
        double[] absError = new double[n];
        for (int i = 0; i < n; i++) {
            double e = y[i] - mean[i];
            double v = Math.max(variance[i], 1e-12); // a zero variance would make the NLL infinite
            absError[i] = Math.abs(e);
            absSum += absError[i];
            sqSum += e * e;
            totalSq += (y[i] - yMean) * (y[i] - yMean);
            nllSum += 0.5 * (Math.log(2 * Math.PI * v) + e * e / v);
            if (absError[i] <= Z90 * Math.sqrt(v)) {
                covered++;
            }
        }
        double r2 = totalSq > 0 ? 1 - sqSum / totalSq : Double.NaN;
        return new Metrics(n, absSum / n, Math.sqrt(sqSum / n), r2, nllSum / n, (double) covered / n,
                spearman(variance, absError), reliability(absError, variance, intervals));
    }

    /** Observed coverage of μ ± q(α)·σ at each of {@link #LEVELS}. */
    static List<CoveragePoint> reliability(double[] absError, double[] variance, IntervalRule intervals) {
        List<CoveragePoint> curve = new ArrayList<>();
        for (double level : LEVELS) {
            int inside = 0;
            for (int i = 0; i < absError.length; i++) {
                // The row whose score is q lies on the bound: (|e|/σ)·σ may round below |e| by an ulp.
                if (absError[i] <= intervals.halfWidth(variance[i], level) * (1 + 1e-12)) {
                    inside++;
                }
            }
            curve.add(new CoveragePoint(level, (double) inside / absError.length));
        }
        return curve;
    }

    /** Spearman's rank correlation with average ranks for ties; NaN when either side is constant. */
    public static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        return pearson(ra, rb);
    }

    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = Arrays.stream(a).average().orElse(0);
        double mb = Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        if (saa == 0 || sbb == 0) {
            return Double.NaN;
        }
        return sab / Math.sqrt(saa * sbb);
    }

    static double[] ranks(double[] values) {
        int n = values.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] rank = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                rank[order[k]] = average;
            }
            i = j + 1;
        }
        return rank;
    }
}
