package io.hpl.server.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tabular issue's question in one table: per dataset and γ, the mean test MAE over seeds of our
 * GBDT (the model a tabular user fits instead), the tree and MLP candidates with and without
 * unlabelled rows, and AUTO; AUTO's change against GBDT paired by seed, and on how many seeds it is
 * no worse. The last lines: the mean change over cells and the cells where AUTO is no worse.
 */
final class TabularSummaryTable {
    static final String BASE = "GBDT";
    static final String AUTO = "AUTO";
    /** Pairs (supervised, semi-supervised) whose difference shows what the unlabelled rows add. */
    static final List<String[]> UNLABELLED_PAIRS = List.of(new String[] {"GBDT", "HPL_GBDT"},
            new String[] {"SUPERVISED packed", "HPL packed [noise]"});

    private TabularSummaryTable() {
    }

    static String render(List<RunResult> results, List<String> variants) {
        List<String> shown = variants.stream().filter(v -> results.stream().anyMatch(r -> r.variant().equals(v))).toList();
        if (!shown.contains(BASE) || !shown.contains(AUTO)) {
            return "";
        }
        StringBuilder out = new StringBuilder("| dataset | γ |");
        shown.forEach(v -> out.append(' ').append(v).append(" |"));
        UNLABELLED_PAIRS.stream().filter(p -> shown.contains(p[0]) && shown.contains(p[1]))
                .forEach(p -> out.append(' ').append(p[1]).append(" vs ").append(p[0]).append(" |"));
        out.append(" AUTO vs GBDT | AUTO ≤ GBDT (seeds) |\n|---|---|");
        int columns = shown.size() + (int) UNLABELLED_PAIRS.stream()
                .filter(p -> shown.contains(p[0]) && shown.contains(p[1])).count() + 2;
        out.append("---|".repeat(columns)).append('\n');
        Set<String> datasets = new LinkedHashSet<>();
        results.forEach(r -> datasets.add(r.dataset()));
        List<Double> changes = new ArrayList<>();
        int noWorse = 0;
        for (String dataset : datasets) {
            for (double gamma : BenchmarkDataset.GAMMAS) {
                List<RunResult> rows = results.stream().filter(r -> r.dataset().equals(dataset) && r.gamma() == gamma).toList();
                if (rows.stream().noneMatch(r -> r.variant().equals(AUTO))) {
                    continue;
                }
                out.append("| ").append(dataset).append(" | ").append(BenchmarkTable.pct(gamma)).append(" |");
                for (String v : shown) {
                    out.append(' ').append(BenchmarkTable.meanStd(BenchmarkTable.cell(rows, v, gamma), r -> r.test().mae(), 4))
                            .append(" |");
                }
                for (String[] p : UNLABELLED_PAIRS) {
                    if (shown.contains(p[0]) && shown.contains(p[1])) {
                        out.append(' ').append(change(rows, p[0], p[1])).append(" |");
                    }
                }
                double change = meanChange(rows, BASE, AUTO);
                changes.add(change);
                int[] counts = pairedNoWorse(rows, BASE, AUTO);
                noWorse += mean(rows, AUTO) <= mean(rows, BASE) ? 1 : 0;
                out.append(String.format(Locale.ROOT, " %+.1f%% | %d/%d |%n", 100 * change, counts[0], counts[1]));
            }
        }
        double meanChange = changes.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        out.append(String.format(Locale.ROOT, "%nAUTO vs GBDT over %d cells: mean MAE change %+.2f%%; AUTO's mean MAE no"
                + " worse than GBDT's in %d of %d cells.%n", changes.size(), 100 * meanChange, noWorse, changes.size()));
        return out.toString();
    }

    private static String change(List<RunResult> rows, String base, String other) {
        double c = meanChange(rows, base, other);
        return Double.isNaN(c) ? "" : String.format(Locale.ROOT, "%+.1f%%", 100 * c);
    }

    /** Mean over seeds of MAE(other)/MAE(base) − 1, paired by seed. */
    private static double meanChange(List<RunResult> rows, String base, String other) {
        double sum = 0;
        int n = 0;
        for (RunResult b : rows) {
            if (!b.variant().equals(base)) {
                continue;
            }
            for (RunResult o : rows) {
                if (o.variant().equals(other) && o.seed() == b.seed()) {
                    sum += o.test().mae() / b.test().mae() - 1;
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static int[] pairedNoWorse(List<RunResult> rows, String base, String other) {
        int noWorse = 0;
        int n = 0;
        for (RunResult b : rows) {
            for (RunResult o : rows) {
                if (b.variant().equals(base) && o.variant().equals(other) && o.seed() == b.seed()) {
                    noWorse += o.test().mae() <= b.test().mae() ? 1 : 0;
                    n++;
                }
            }
        }
        return new int[] {noWorse, n};
    }

    private static double mean(List<RunResult> rows, String variant) {
        return rows.stream().filter(r -> r.variant().equals(variant)).mapToDouble(r -> r.test().mae()).average()
                .orElse(Double.NaN);
    }
}
