package io.hpl.server.benchmark;

import ai.djl.Device;
import io.hpl.server.ResidentMemory;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.evaluation.RegressionMetrics;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.GaussianIntervals;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs one cell of the protocol through the code a Train request runs (the method registry and the
 * shared loop), exports the model to ONNX and scores the test rows with ONNX Runtime, as Predict would.
 */
final class BenchmarkRunner {
    /** Test rows per ONNX call: a conv net's activations for 10,000 images at once would take gigabytes. */
    private static final int PREDICT_CHUNK = 1000;

    private final MethodRegistry registry = MethodRegistry.standard();
    private final OrtSessionFactory sessions = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
    private final OnnxModelWriter writer = new OnnxModelWriter();
    private final int iterations;
    private final Map<String, String> common;

    BenchmarkRunner(int iterations) {
        this(iterations, Map.of());
    }

    /**
     * Added to the split's seed to give the training seed (which draws the calibration rows, initial weights
     * and batches): other values repeat a cell on the same split with other calibration draws.
     */
    private static final int TRAINING_SEED_OFFSET = Integer.getInteger("hpl.benchmark.training-seed-offset", 0);

    /** @param common hyperparameters every variant gets (a variant's own value wins) */
    BenchmarkRunner(int iterations, Map<String, String> common) {
        this.iterations = iterations;
        this.common = Map.copyOf(common);
    }

    RunResult run(BenchmarkDataset dataset, int gammaIndex, int seed, BenchmarkVariant variant) {
        return run(dataset.name(), BenchmarkDataset.GAMMAS[gammaIndex], seed, variant, dataset.split(seed, gammaIndex));
    }

    RunResult run(String dataset, double gamma, int seed, BenchmarkVariant variant, BenchmarkDataset.Split split) {
        TrainingMethod method = registry.get(variant.method());
        Map<String, String> given = new HashMap<>();
        common.forEach((k, v) -> {
            if (method.hyperParameters().stream().anyMatch(h -> h.name().equals(k))) {
                given.put(k, v);
            }
        });
        given.putAll(variant.hyperParameters());
        // Iterative methods only: trees (and AUTO) have no iterations to set. A variant may evaluate more
        // often (early stopping evaluates at every progress report).
        if (method.hyperParameters().stream().anyMatch(h -> h.name().equals("iterations"))) {
            given.put("iterations", Integer.toString(iterations));
            given.putIfAbsent("progress_every", Integer.toString(Math.max(1, iterations / 4)));
        }
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        SortedMap<Long, Long> resident = new TreeMap<>();
        TrainingOutcome outcome = method.train(new TrainingRun(split.train(), hp, seed + TRAINING_SEED_OFFSET, Device.cpu(),
                p -> resident.put(p.iteration(), ResidentMemory.kilobytes()), () -> false));
        if (outcome.selection() != null) {
            outcome.selection().candidates().forEach(c -> System.out.printf(java.util.Locale.ROOT,
                    "    candidate %-10s calibration MAE %.4f weight %.2f %.1f s %s%n", c.name(), c.calibrationMae(),
                    c.weight(), c.seconds(), c.status()));
            System.out.println("    served " + outcome.selection().served() + ": " + outcome.selection().reason());
        }
        System.out.println("  " + variant.label() + ": " + outcome.uncertaintyNote());
        try (OnnxModelSession session = sessions.open(writer.write(outcome.model(), Map.of()))) {
            Predictions p = predict(session, split.testX());
            // The intervals Predict serves: conformal from the calibration rows (Gaussian if a method has none).
            IntervalRule intervals = outcome.conformal() != null ? outcome.conformal() : new GaussianIntervals();
            Metrics test = RegressionMetrics.compute(split.testY(), p.mean(), p.variance(), intervals);
            return new RunResult(dataset, gamma, seed, variant.label(), test, outcome.millisPerIteration(),
                    outcome.diagnostics(), resident);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Predictions predict(OnnxModelSession session, float[][] rows) throws ai.onnxruntime.OrtException {
        double[] mean = new double[rows.length];
        double[] variance = new double[rows.length];
        for (int from = 0; from < rows.length; from += PREDICT_CHUNK) {
            int to = Math.min(rows.length, from + PREDICT_CHUNK);
            Predictions p = session.predict(Arrays.copyOfRange(rows, from, to));
            System.arraycopy(p.mean(), 0, mean, from, to - from);
            System.arraycopy(p.variance(), 0, variance, from, to - from);
        }
        return new Predictions(mean, variance);
    }
}
