package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.data.Column;
import io.hpl.server.data.ColumnKind;
import io.hpl.server.data.CsvDatasetReader;
import io.hpl.server.data.DatasetOptions;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.Table;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.evaluation.RegressionMetrics;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What empty cells cost, and what the server's handling (mean imputation in the graph plus missing
 * indicators) gives against a client that fills the cells itself before uploading (training
 * mean for numeric columns, most frequent category for categorical ones, no indicators). The
 * house_lucas sample (clients/samples: 3,000 training rows of which 300 labelled, 500 test rows)
 * with a fraction of the feature cells emptied at random in both files; SUPERVISED through the
 * method registry, test rows read with the model's schema and scored by ONNX Runtime.
 * Quick by default (20% empty, seed 0, 300 iterations); the table:
 * <pre>./mvnw -B test -Dtest=MissingCellsBenchmarkTest -Dhpl.benchmark=missing</pre>
 * (fractions 0, 10, 20, 30%, seeds 0-2, the method's default iterations).
 */
@Tag("benchmark") // minutes of training per run: out of the default verify (pom: hpl.test.excludedGroups), run by .ci/run after it
class MissingCellsBenchmarkTest {
    private static final Path TRAIN = Path.of("clients", "samples", "house_lucas_train.csv");
    private static final Path TEST = Path.of("clients", "samples", "house_lucas_test.csv");
    private static final String TARGET = "log_price";

    @TempDir
    Path dir;

    private final CsvDatasetReader reader = new CsvDatasetReader();
    private final MethodRegistry registry = MethodRegistry.standard();
    private final OrtSessionFactory sessions = new OrtSessionFactory(OrtSessionFactory.Device.CPU);

    @Test
    void emptyCellsAgainstClientSideImputation() throws IOException {
        boolean full = "missing".equals(System.getProperty("hpl.benchmark"));
        double[] fractions = full ? new double[] {0, 0.1, 0.2, 0.3} : new double[] {0.2};
        int[] seeds = full ? new int[] {0, 1, 2} : new int[] {0};
        Map<String, String> given = full ? Map.of() : Map.of("iterations", "300");

        List<String> train = Files.readAllLines(TRAIN);
        List<String> test = Files.readAllLines(TEST);
        DatasetSchema kinds = reader.read(TRAIN, DatasetOptions.infer(TARGET, List.of(), List.of())).schema();
        StringBuilder table = new StringBuilder("| empty cells | seed | MAE, empty cells (server) | MAE, pre-imputed (client) |"
                + " R², server | R², client |\n|---|---|---|---|---|---|\n");
        for (double fraction : fractions) {
            for (int seed : seeds) {
                List<String> trainBlank = blank(train, fraction, seed);
                List<String> testBlank = blank(test, fraction, seed + 100);
                Metrics server = run(trainBlank, testBlank, seed, given);
                Imputation imputation = Imputation.fit(trainBlank, kinds);
                Metrics client = run(imputation.apply(trainBlank), imputation.apply(testBlank), seed, given);
                String line = String.format(Locale.ROOT, "| %.0f%% | %d | %.4f | %.4f | %.3f | %.3f |",
                        100 * fraction, seed, server.mae(), client.mae(), server.r2(), client.r2());
                System.out.println(line);
                table.append(line).append('\n');
                assertTrue(Double.isFinite(server.mae()) && server.r2() > 0, "the model learns: " + server);
                assertEquals(500, server.rows());
            }
        }
        System.out.println(table);
    }

    /** Every feature cell of the data rows emptied with probability {@code fraction}; the target kept. */
    private static List<String> blank(List<String> lines, double fraction, long seed) {
        Random random = new Random(seed);
        int target = Arrays.asList(lines.get(0).split(",")).indexOf(TARGET);
        List<String> out = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            for (int j = 0; j < cells.length; j++) {
                if (j != target && random.nextDouble() < fraction) {
                    cells[j] = "";
                }
            }
            out.add(String.join(",", cells));
        }
        return out;
    }

    private Metrics run(List<String> trainLines, List<String> testLines, int seed, Map<String, String> given)
            throws IOException {
        Path trainCsv = Files.write(Files.createTempFile(dir, "train", ".csv"), trainLines);
        Path testCsv = Files.write(Files.createTempFile(dir, "test", ".csv"), testLines);
        Table trainTable = reader.read(trainCsv, DatasetOptions.infer(TARGET, List.of(), List.of())).table();
        TrainingMethod method = registry.get(MethodName.SUPERVISED);
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        TrainingOutcome outcome = method.train(new TrainingRun(trainTable, hp, seed, Device.cpu(), p -> { }, () -> false));
        Table testTable = reader.read(testCsv, DatasetOptions.withSchema(TARGET, outcome.model().schema())).table();
        try (OnnxModelSession session = sessions.open(new OnnxModelWriter().write(outcome.model(), Map.of()))) {
            Predictions p = session.predict(testTable.x());
            return RegressionMetrics.compute(testTable.y(), p.mean(), p.variance());
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a client would fill empty cells with, from the training file: a column's mean or most frequent category. */
    private record Imputation(int[] columns, String[] fill) {
        static Imputation fit(List<String> lines, DatasetSchema kinds) {
            List<String> header = Arrays.asList(lines.get(0).split(","));
            int[] columns = kinds.features().stream().mapToInt(c -> header.indexOf(c.name())).toArray();
            String[] fill = new String[header.size()];
            for (int k = 0; k < columns.length; k++) {
                Column column = kinds.features().get(k);
                int j = columns[k];
                List<String> present = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)[j])
                        .filter(s -> !s.isEmpty()).toList();
                fill[j] = column.kind() == ColumnKind.NUMERIC
                        ? Double.toString(present.stream().mapToDouble(Double::parseDouble).average().orElseThrow())
                        : present.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting())).entrySet().stream()
                                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            }
            return new Imputation(columns, fill);
        }

        List<String> apply(List<String> lines) {
            List<String> out = new ArrayList<>(List.of(lines.get(0)));
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                for (int j : columns) {
                    if (cells[j].isEmpty()) {
                        cells[j] = fill[j];
                    }
                }
                out.add(String.join(",", cells));
            }
            return out;
        }
    }
}
