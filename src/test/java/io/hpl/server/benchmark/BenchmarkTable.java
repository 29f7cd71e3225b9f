package io.hpl.server.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** Markdown tables like the paper's: rows = methods, columns = γ, cells = mean ± std over seeds. */
final class BenchmarkTable {
    private BenchmarkTable() {
    }

    static String render(List<RunResult> results) {
        return render(results, "test rows", "", 4);
    }

    /**
     * Per dataset: the MAE/R² table (MAE headed "MAE" + {@code unit}, {@code maeDigits} decimals) and
     * the σ² table (NLL, 90% coverage, Spearman of σ² and |error|).
     */
    static String render(List<RunResult> results, String rowsLabel, String unit, int maeDigits) {
        StringBuilder out = new StringBuilder();
        Set<String> datasets = new LinkedHashSet<>();
        results.forEach(r -> datasets.add(r.dataset()));
        for (String dataset : datasets) {
            List<RunResult> rows = results.stream().filter(r -> r.dataset().equals(dataset)).toList();
            List<Double> gammas = rows.stream().map(RunResult::gamma).distinct().sorted().toList();
            Set<String> variants = new LinkedHashSet<>();
            rows.forEach(r -> variants.add(r.variant()));
            int seeds = (int) rows.stream().mapToInt(RunResult::seed).distinct().count();
            out.append("\n### ").append(dataset).append(" (").append(rowsLabel).append("; mean ± std over ").append(seeds)
                    .append(seeds == 1 ? " seed" : " seeds").append(")\n\n| method |");
            gammas.forEach(g -> out.append(' ').append(pct(g)).append(" MAE").append(unit).append(" | ").append(pct(g)).append(" R² |"));
            out.append(" ms/iteration (median) |\n|---|");
            gammas.forEach(g -> out.append("---|---|"));
            out.append("---|\n");
            for (String v : variants) {
                out.append("| ").append(v).append(" |");
                for (double g : gammas) {
                    List<RunResult> cell = cell(rows, v, g);
                    out.append(' ').append(meanStd(cell, r -> r.test().mae(), maeDigits)).append(" | ")
                            .append(meanStd(cell, r -> r.test().r2(), 3)).append(" |");
                }
                double[] ms = rows.stream().filter(r -> r.variant().equals(v)).mapToDouble(RunResult::millisPerIteration)
                        .sorted().toArray();
                out.append(String.format(Locale.ROOT, " %.2f |%n", ms[ms.length / 2]));
            }
            out.append("\n| method (σ²) |");
            gammas.forEach(g -> out.append(' ').append(pct(g)).append(" NLL | ").append(pct(g)).append(" cov90 | ")
                    .append(pct(g)).append(" conformal cov90 | ").append(pct(g)).append(" ρ(σ²,\\|e\\|) |"));
            out.append("\n|---|");
            gammas.forEach(g -> out.append("---|---|---|---|"));
            out.append('\n');
            for (String v : variants) {
                out.append("| ").append(v).append(" |");
                for (double g : gammas) {
                    List<RunResult> cell = cell(rows, v, g);
                    out.append(' ').append(meanStd(cell, r -> r.test().nll(), 3)).append(" | ")
                            .append(meanStd(cell, r -> r.test().coverage90(), 3)).append(" | ")
                            .append(meanStd(cell, r -> r.test().intervalCoverage(0.9), 3)).append(" | ")
                            .append(meanStd(cell, r -> r.test().spearmanVarianceAbsError(), 3)).append(" |");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    static List<RunResult> cell(List<RunResult> rows, String variant, double gamma) {
        return rows.stream().filter(r -> r.variant().equals(variant) && r.gamma() == gamma).toList();
    }

    static String pct(double g) {
        return Math.round(g * 100) + "%";
    }

    static String meanStd(List<RunResult> cell, ToDoubleFunction<RunResult> metric, int digits) {
        double[] v = cell.stream().mapToDouble(metric).filter(Double::isFinite).toArray();
        if (v.length == 0) {
            return cell.isEmpty() ? "" : "n/a";
        }
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        String fmt = "%." + digits + "f";
        if (v.length == 1) {
            return String.format(Locale.ROOT, fmt, mean);
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return String.format(Locale.ROOT, fmt + "±" + fmt, mean, Math.sqrt(ss / (v.length - 1)));
    }

    static List<String> lines(String table) {
        return new ArrayList<>(List.of(table.split("\n")));
    }
}
