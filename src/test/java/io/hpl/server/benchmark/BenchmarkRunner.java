package io.hpl.server.benchmark;

import ai.djl.Device;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.evaluation.RegressionMetrics;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingRun;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs one cell of the protocol through the code a Train request runs (the method registry and the
 * shared loop), exports the model to ONNX and scores the test rows with ONNX Runtime, as Predict would.
 */
final class BenchmarkRunner {
    private final MethodRegistry registry = MethodRegistry.standard();
    private final OrtSessionFactory sessions = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
    private final OnnxModelWriter writer = new OnnxModelWriter();
    private final int iterations;

    BenchmarkRunner(int iterations) {
        this.iterations = iterations;
    }

    RunResult run(BenchmarkDataset dataset, int gammaIndex, int seed, BenchmarkVariant variant) {
        BenchmarkDataset.Split split = dataset.split(seed, gammaIndex);
        TrainingMethod method = registry.get(variant.method());
        Map<String, String> given = new HashMap<>(variant.hyperParameters());
        given.put("iterations", Integer.toString(iterations));
        given.put("progress_every", Integer.toString(iterations));
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        TrainingOutcome outcome = method.train(new TrainingRun(split.train(), hp, seed, Device.cpu(), p -> { }, () -> false));
        try (OnnxModelSession session = sessions.open(writer.write(outcome.model(), Map.of()))) {
            Predictions p = session.predict(split.testX());
            Metrics test = RegressionMetrics.compute(split.testY(), p.mean(), p.variance());
            return new RunResult(dataset.name(), BenchmarkDataset.GAMMAS[gammaIndex], seed, variant.label(), test,
                    outcome.millisPerIteration(), outcome.diagnostics());
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
