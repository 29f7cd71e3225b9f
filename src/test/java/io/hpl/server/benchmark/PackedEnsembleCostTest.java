package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hpl.server.training.MethodName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cost check: training time per iteration of SUPERVISED on the plain MLP against
 * SUPERVISED on a K=8 packed ensemble, in one run on house_lucas (γ = 10%, seed 0). Skipped unless
 * -Dhpl.benchmark is set:
 * <pre>./mvnw -B -o test -Dtest=PackedEnsembleCostTest -Dhpl.benchmark=cost [-Dhpl.benchmark.iterations=1000]</pre>
 * Prints a table of ms/iteration and the ratio to the plain MLP.
 */
@Tag("benchmark") // minutes of training per run: out of the default verify (pom: hpl.test.excludedGroups), run by .ci/run after it
class PackedEnsembleCostTest {
    @Test
    void packedEnsembleAgainstOneMlp() {
        assumeTrue(System.getProperty("hpl.benchmark") != null, "a benchmark: set -Dhpl.benchmark to run it");
        int iterations = Integer.getInteger("hpl.benchmark.iterations", 1000);
        Map<String, BenchmarkVariant> variants = new LinkedHashMap<>();
        variants.put("mlp 256,256 (default)", new BenchmarkVariant("SUPERVISED", MethodName.SUPERVISED, Map.of()));
        for (BenchmarkVariant v : BenchmarkVariant.packed()) {
            if (v.method() == MethodName.SUPERVISED) {
                variants.put(v.label(), new BenchmarkVariant(v.label(), v.method(),
                        without(v.hyperParameters(), "early_stopping_patience")));
            }
        }
        BenchmarkDataset dataset = BenchmarkDataset.load("house_lucas");
        BenchmarkRunner runner = new BenchmarkRunner(iterations);
        List<String> lines = new ArrayList<>();
        double base = Double.NaN;
        for (var e : variants.entrySet()) {
            RunResult r = runner.run(dataset, 1, 0, e.getValue());
            if (Double.isNaN(base)) {
                base = r.millisPerIteration();
            }
            lines.add(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f× | %.4f |", e.getKey(),
                    e.getValue().hyperParameters(), r.millisPerIteration(), r.millisPerIteration() / base, r.test().mae()));
        }
        System.out.printf("house_lucas γ=10%% seed 0, SUPERVISED, %d iterations (no early stopping), one run%n", iterations);
        System.out.println("| backbone | hyperparameters | ms/iteration | ratio to mlp | test MAE |");
        System.out.println("|---|---|---|---|---|");
        lines.forEach(System.out::println);
    }

    private static Map<String, String> without(Map<String, String> map, String key) {
        Map<String, String> copy = new LinkedHashMap<>(map);
        copy.remove(key);
        return copy;
    }
}
