package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.data.Table;
import io.hpl.server.model.ConvLayer;
import io.hpl.server.model.ConvNet;
import io.hpl.server.model.ViewLearnedVariance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.hpl.server.ResidentMemory;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every method of the registry trains a conv net on images through the shared loop. */
class ImageTrainingTest {
    private static final MethodRegistry REGISTRY = MethodRegistry.standard();
    /** The side is uniform on 2..7: predicting the mean gives MAE 1.5. */
    private static final double MEAN_PREDICTOR_MAE = 1.5;

    @ParameterizedTest
    @EnumSource(value = MethodName.class, names = {"SUPERVISED", "PSEUDO_LABEL", "HPL_JOINT", "HPL", "MEAN_TEACHER"})
    void everyMethodLearnsTheSquaresSide(MethodName name) {
        Table table = SyntheticImages.make(300, 300, 1);
        TrainingMethod method = REGISTRY.get(name);
        Map<String, String> given = new HashMap<>(Map.of("iterations", "250", "batch_size", "32",
                "progress_every", "250", "learning_rate", "3e-3", "head_learning_rate", "3e-3"));
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = method.train(new TrainingRun(table, hp, 0, Device.cpu(), events::add, () -> false));

        assertInstanceOf(ConvNet.class, outcome.model().regressor());
        assertEquals(1, events.size());
        double mae = outcome.calibrationMetrics().mae();
        assertTrue(mae < 0.6 * MEAN_PREDICTOR_MAE, name + ": held-out MAE " + mae);
        assertTrue(outcome.calibrationMetrics().nll() < 2.0, name + ": NLL " + outcome.calibrationMetrics().nll());
        if (name == MethodName.HPL) {
            // served_variance=auto: the learned σ² only where it beat the constant on held-out NLL.
            Class<?> served = outcome.uncertaintyNote().startsWith("per-row") ? ViewLearnedVariance.class
                    : io.hpl.server.model.ConstantVariance.class;
            assertEquals(served, outcome.model().variance().getClass(), outcome.uncertaintyNote());
        }
    }

    /**
     * ResNet-18 goes through the same loop: batch norm in train mode during the steps (running
     * statistics move off their 0/1 start), eval mode for calibration and export.
     */
    @Test
    void resnet18TrainsWithBatchNormStatistics() {
        Table table = SyntheticImages.make(64, 64, 3);
        TrainingMethod method = REGISTRY.get(MethodName.HPL);
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), Map.of("backbone", "resnet18",
                "iterations", "6", "batch_size", "16", "progress_every", "3"));
        List<TrainingProgress> events = new ArrayList<>();
        TrainingOutcome outcome = method.train(new TrainingRun(table, hp, 0, Device.cpu(), events::add, () -> false));

        assertEquals(2, events.size());
        ConvNet net = (ConvNet) outcome.model().regressor();
        ConvLayer.BatchNorm2d stem = (ConvLayer.BatchNorm2d) net.backbone().get(1);
        float[] mean = stem.runningMean();
        assertTrue(java.util.stream.IntStream.range(0, mean.length).anyMatch(c -> mean[c] != 0f),
                "the stem's running mean moved during training");
        assertTrue(Double.isFinite(outcome.calibrationMetrics().mae()));
    }

    /**
     * Per-step arrays (augmented batches, the meta step's temporaries, batch-norm updates) must all
     * be freed with the step: resident size stays flat once the first steps have warmed the
     * allocator. The heap is pre-touched (pom), so growth here is native memory.
     */
    @Test
    void hplOnImagesKeepsNativeMemoryFlat() {
        Table table = SyntheticImages.make(300, 600, 2);
        TrainingMethod method = REGISTRY.get(MethodName.HPL);
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(),
                Map.of("iterations", "1500", "batch_size", "32", "progress_every", "250"));
        SortedMap<Long, Long> residentKb = new TreeMap<>();
        method.train(new TrainingRun(table, hp, 0, Device.cpu(), p -> residentKb.put(p.iteration(), ResidentMemory.kilobytes()),
                () -> false));
        long growthKb = residentKb.get(1500L) - residentKb.get(500L);
        assertTrue(growthKb < 16 * 1024, "resident memory grew " + growthKb + " KB from iteration 500 to 1,500: " + residentKb);
    }
}
