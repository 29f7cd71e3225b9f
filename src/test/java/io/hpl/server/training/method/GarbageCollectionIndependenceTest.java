package io.hpl.server.training.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.hpl.server.data.Table;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.SyntheticTables;
import io.hpl.server.training.TrainedModelForward;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingRun;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A seeded run must not depend on when the garbage collector runs. Every method's loss scales a
 * term by a constant; an operand that lives in Java memory (DJL's Number overloads) is kept by
 * autograd for the backward pass, and a collection in between frees it under the graph. Another
 * thread allocates without pause, so collections land inside the training steps.
 */
class GarbageCollectionIndependenceTest {
    private static final MethodRegistry REGISTRY = MethodRegistry.standard();
    private static volatile byte[] sink;

    private static double[] trainAndPredict(MethodName name, Table table) {
        TrainingMethod method = REGISTRY.get(name);
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), Map.of("iterations", "1000",
                "hidden_layers", "32,32", "batch_size", "64", "progress_every", "1000"));
        var outcome = method.train(new TrainingRun(table, hp, 0, Device.cpu(), p -> { }, () -> false));
        try (NDManager m = PyTorchEngine.get().newBaseManager()) {
            return TrainedModelForward.predict(m, outcome.model(), Arrays.copyOf(table.x(), 200)).mean();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MethodName.class, names = {"PSEUDO_LABEL", "HPL", "HPL_JOINT", "MEAN_TEACHER"})
    void sameModelWhileAnotherThreadCollectsGarbageWithoutPause(MethodName name) throws InterruptedException {
        Table table = SyntheticTables.make(400, 800, 1);
        double[] quiet = trainAndPredict(name, table);
        AtomicBoolean stop = new AtomicBoolean();
        // Garbage, not System.gc(): young collections every few milliseconds free a just-closed direct buffer
        // as surely as a full one, and cost the same whatever else the JVM holds (full collections of a
        // test JVM that ran the Quarkus suites before took minutes a run).
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                sink = new byte[256 * 1024]; // a field, so the allocation cannot be optimised away
            }
        }, "gc-pressure");
        collector.setDaemon(true);
        collector.start();
        double[] underPressure;
        try {
            underPressure = trainAndPredict(name, table);
        } finally {
            stop.set(true);
            collector.join();
        }
        assertArrayEquals(quiet, underPressure, name + ": a collection during training changed the model");
    }
}
