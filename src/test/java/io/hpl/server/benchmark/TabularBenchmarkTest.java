package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark protocol (docs/benchmark-protocol.md) on the public datasets.
 * By default a quick smoke run (house_lucas, γ = 10%, seed 0, few iterations) that checks every
 * method runs end to end. The full table:
 * <pre>./mvnw -B test -Dtest=TabularBenchmarkTest -Dhpl.benchmark=full</pre>
 * Narrow it with -Dhpl.benchmark.datasets=house_lucas,storms -Dhpl.benchmark.seeds=0,1,2
 * -Dhpl.benchmark.gammas=0,1,2 (indices of 5/10/20%) -Dhpl.benchmark.iterations=4000
 * -Dhpl.benchmark.variants="HPL [noise],SUPERVISED". The table goes to stdout and to
 * target/benchmark-&lt;datasets&gt;.md; with GBDT and AUTO among the variants, also the AUTO-vs-GBDT summary.
 * -Dhpl.benchmark.results=FILE appends each run to FILE as it finishes, and
 * -Dhpl.benchmark.training-seed-offset=K trains with seed split-seed + K (other calibration rows and initial
 * weights on the same split), to tell a cell's spread over calibration draws from its split.
 * -Dhpl.benchmark.render=FILE1,FILE2 renders the tables of runs split over several JVMs without training.
 */
@Tag("benchmark") // minutes of training per run: out of the default verify (pom: hpl.test.excludedGroups), run by .ci/run after it
class TabularBenchmarkTest {
    @Test
    void benchmark() throws IOException {
        String render = System.getProperty("hpl.benchmark.render", "");
        if (!render.isBlank()) { // no training: the tables of runs saved by earlier (parallel) invocations
            List<RunResult> saved = new ArrayList<>();
            list("hpl.benchmark.render", "").forEach(f -> saved.addAll(RunResultFile.read(Path.of(f))));
            List<String> order = new ArrayList<>();
            saved.forEach(r -> {
                if (!order.contains(r.variant())) {
                    order.add(r.variant());
                }
            });
            String tables = BenchmarkTable.render(saved) + "\n" + TabularSummaryTable.render(saved, order);
            System.out.println(tables);
            assertTrue(!saved.isEmpty(), "no runs in " + render);
            return;
        }
        boolean full = "full".equals(System.getProperty("hpl.benchmark"));
        List<String> datasets = list("hpl.benchmark.datasets", full ? "house_lucas,storms,diamonds,cps1988" : "house_lucas");
        List<Integer> seeds = list("hpl.benchmark.seeds", full ? "0,1,2" : "0").stream().map(Integer::parseInt).toList();
        List<Integer> gammas = list("hpl.benchmark.gammas", full ? "0,1,2" : "1").stream().map(Integer::parseInt).toList();
        int iterations = Integer.getInteger("hpl.benchmark.iterations", full ? 4000 : 150);
        List<String> wanted = list("hpl.benchmark.variants", "");
        // The extra rows (packed backbone, forced per-row σ²) run only when named.
        List<BenchmarkVariant> variants = wanted.isEmpty() ? BenchmarkVariant.all()
                : BenchmarkVariant.allWithExtras().stream().filter(v -> wanted.contains(v.label())).toList();

        BenchmarkRunner runner = new BenchmarkRunner(iterations);
        String runsFile = System.getProperty("hpl.benchmark.results", "");
        List<RunResult> results = new ArrayList<>();
        int total = datasets.size() * gammas.size() * seeds.size() * variants.size();
        long start = System.nanoTime();
        for (String name : datasets) {
            BenchmarkDataset dataset = BenchmarkDataset.load(name);
            for (int g : gammas) {
                for (int seed : seeds) {
                    for (BenchmarkVariant v : variants) {
                        long t = System.nanoTime();
                        RunResult r = runner.run(dataset, g, seed, v);
                        results.add(r);
                        if (!runsFile.isBlank()) {
                            RunResultFile.append(Path.of(runsFile), r);
                        }
                        System.out.printf(Locale.ROOT, "[%d/%d] %s γ=%.2f seed %d %-22s MAE %.4f R² %.3f NLL %.3f "
                                        + "cov90 %.3f conformal cov90 %.3f ρ %.3f  %.2f ms/it  %.1f s (elapsed %.0f s)%n",
                                results.size(), total, name, r.gamma(), seed, v.label(), r.test().mae(), r.test().r2(),
                                r.test().nll(), r.test().coverage90(), r.test().intervalCoverage(0.9), r.test().spearmanVarianceAbsError(),
                                r.millisPerIteration(), (System.nanoTime() - t) / 1e9, (System.nanoTime() - start) / 1e9);
                    }
                }
            }
        }
        String table = BenchmarkTable.render(results);
        System.out.println(table);
        System.out.println(TabularSummaryTable.render(results, variants.stream().map(BenchmarkVariant::label).toList()));
        Path out = Path.of("target", "benchmark-" + String.join("-", datasets) + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.format(Locale.ROOT, "iterations %d, seeds %s, γ indices %s%n%s", iterations,
                seeds, gammas, table));

        if (!full) {
            // The smoke run's settings are tame. In the full protocol an ablation may diverge, which is a
            // result to report (HPL_JOINT with the swap view, as the paper's UL), not a failure.
            for (RunResult r : results) {
                assertTrue(Double.isFinite(r.test().mae()) && Double.isFinite(r.test().nll()), r.toString());
                assertTrue(r.test().r2() > 0, "every method must learn something: " + r);
            }
        }
        variants.forEach(v -> assertTrue(table.contains("| " + v.label() + " |"), v.label()));
    }

    private static List<String> list(String property, String fallback) {
        String value = System.getProperty(property, fallback);
        return value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::trim).toList();
    }
}
