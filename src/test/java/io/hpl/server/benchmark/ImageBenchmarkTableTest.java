package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.evaluation.Metrics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageBenchmarkTableTest {
    private static RunResult run(double gamma, int seed, String variant, double mae, double ms) {
        return new RunResult(RotatedFashionMnist.NAME, gamma, seed, variant,
                new Metrics(1000, mae, mae * 1.2, 0.5, Double.NaN, Double.NaN, Double.NaN), ms, Map.of(), new java.util.TreeMap<>());
    }

    @Test
    void meanStdOverSeedsAndHplChangeAgainstSupervised() {
        String table = ImageBenchmarkTable.render(List.of(
                run(0.05, 0, "SUPERVISED", 10, 20), run(0.05, 1, "SUPERVISED", 12, 22),
                run(0.05, 0, "HPL", 9, 50), run(0.05, 1, "HPL", 9.9, 60),
                run(0.20, 0, "SUPERVISED", 8, 21), run(0.20, 1, "SUPERVISED", 8, 23),
                run(0.20, 0, "HPL", 8.4, 55), run(0.20, 1, "HPL", 8.4, 58)));
        assertTrue(table.contains("| method | 5% MAE (°) | 5% R² | 20% MAE (°) | 20% R² | ms/iteration (median) |"), table);
        // SUPERVISED at 5%: mean 11, sample std √2; median of 20, 21, 22, 23 (upper middle) = 22.
        assertTrue(table.contains("| SUPERVISED | 11.00±1.41 | 0.500±0.000 | 8.00±0.00 | 0.500±0.000 | 22.00 |"), table);
        // HPL: 9.45 vs 11 at 5% (−14.1%), 8.4 vs 8 at 20% (+5.0%).
        assertTrue(table.contains("| change of the mean MAE | -14.1% | +5.0% |"), table);
    }
}
