package io.hpl.server.benchmark;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The image track's markdown tables: {@link BenchmarkTable}'s (MAE in degrees, R², ms/iteration; then
 * the σ² table), then HPL's MAE change against SUPERVISED per γ.
 */
final class ImageBenchmarkTable {
    private ImageBenchmarkTable() {
    }

    static String render(List<RunResult> results) {
        List<Double> gammas = results.stream().map(RunResult::gamma).distinct().sorted().toList();
        Set<String> variants = new LinkedHashSet<>();
        results.forEach(r -> variants.add(r.variant()));
        StringBuilder out = new StringBuilder(BenchmarkTable.render(results, "test images", " (°)", 2));
        if (variants.contains("HPL") && variants.contains("SUPERVISED")) {
            out.append("\n| HPL MAE vs SUPERVISED |");
            gammas.forEach(g -> out.append(' ').append(BenchmarkTable.pct(g)).append(" |"));
            out.append("\n|---|");
            gammas.forEach(g -> out.append("---|"));
            out.append("\n| change of the mean MAE |");
            for (double g : gammas) {
                double hpl = meanMae(BenchmarkTable.cell(results, "HPL", g));
                double supervised = meanMae(BenchmarkTable.cell(results, "SUPERVISED", g));
                out.append(String.format(Locale.ROOT, " %+.1f%% |", 100 * (hpl - supervised) / supervised));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static double meanMae(List<RunResult> cell) {
        return cell.stream().mapToDouble(r -> r.test().mae()).average().orElse(Double.NaN);
    }
}
