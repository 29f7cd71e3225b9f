package io.hpl.server.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.hpl.server.data.Table;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Mlp;
import io.hpl.server.model.RowLearnedVariance;
import io.hpl.server.model.ViewLearnedVariance;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.IterativeMethod;
import io.hpl.server.training.SyntheticTables;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingProgress;
import io.hpl.server.training.TrainingRun;
import io.hpl.server.training.TrainingSuspendedException;
import io.hpl.server.training.method.HplJointMethod;
import io.hpl.server.training.method.HplMethod;
import io.hpl.server.training.method.MeanTeacherMethod;
import io.hpl.server.training.method.PseudoLabelMethod;
import io.hpl.server.training.method.SupervisedMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * N iterations uninterrupted against K iterations, a checkpoint (through its file bytes), new
 * objects built from it and N − K more, same seed, on CPU: the served weights of f_θ and g_φ, the
 * σ² scale, the calibration metrics and every progress report after K are bit-for-bit equal.
 */
class ResumeEquivalenceTest {
    private static final Table TABLE = SyntheticTables.make(160, 240, 11);
    private static final long SEED = 3;
    // Dropout on (0.1) so PyTorch's generator matters; K = 37 is neither a progress report (every 10)
    // nor an HPL meta step (every 5, from iteration 1), so the loop's sums and the counters must carry.
    private static final Map<String, String> HP = Map.of("iterations", "60", "progress_every", "10",
            "hidden_layers", "16,16", "batch_size", "32", "dropout", "0.1");
    private static final long K = 37;

    static Stream<Arguments> methods() {
        return Stream.of(Arguments.of(new SupervisedMethod()), Arguments.of(new HplMethod()),
                Arguments.of(new HplJointMethod()), Arguments.of(new PseudoLabelMethod()),
                Arguments.of(new MeanTeacherMethod()));
    }

    /** Checkpoints kept as the bytes a file would hold; writes when {@code due} says so. */
    static final class MemoryCheckpoints implements Checkpointing {
        final List<byte[]> written = new ArrayList<>();
        final List<Long> resumedFrom = new ArrayList<>();
        final List<String> discarded = new ArrayList<>();
        private final byte[] start;
        private final LongPredicate due;
        private final boolean suspend;

        MemoryCheckpoints(byte[] start, LongPredicate due, boolean suspend) {
            this.start = start;
            this.due = due;
            this.suspend = suspend;
        }

        @Override
        public Optional<Checkpoint> latest() {
            return Optional.ofNullable(start).map(Checkpoint::decode);
        }

        @Override
        public boolean due(long iteration) {
            return due.test(iteration);
        }

        @Override
        public void write(Checkpoint checkpoint) {
            written.add(checkpoint.encode());
        }

        @Override
        public boolean suspendRequested() {
            return suspend;
        }

        @Override
        public void discarded(Checkpoint checkpoint, String why) {
            discarded.add(why);
        }

        @Override
        public void resumed(Checkpoint checkpoint) {
            resumedFrom.add(checkpoint.iteration());
        }
    }

    private static TrainingOutcome train(IterativeMethod method, Map<String, String> given, List<TrainingProgress> events,
                                         java.util.function.BooleanSupplier stop, Checkpointing checkpoints) {
        return train(TABLE, method, given, events, stop, checkpoints);
    }

    private static TrainingOutcome train(Table table, IterativeMethod method, Map<String, String> given,
                                         List<TrainingProgress> events, java.util.function.BooleanSupplier stop,
                                         Checkpointing checkpoints) {
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        return method.train(new TrainingRun(table, hp, SEED, Device.cpu(), events::add, stop, checkpoints));
    }

    /** Stops the run before iteration K + 1 as a shutdown does; returns the checkpoint it wrote. */
    private static byte[] suspendAfterK(IterativeMethod method) {
        long[] checks = {0};
        MemoryCheckpoints checkpoints = new MemoryCheckpoints(null, it -> false, true);
        TrainingSuspendedException e = assertThrows(TrainingSuspendedException.class,
                () -> train(method, HP, new ArrayList<>(), () -> ++checks[0] > K, checkpoints));
        assertEquals(K, e.iteration());
        assertEquals(1, checkpoints.written.size());
        assertEquals(K, Checkpoint.decode(checkpoints.written.get(0)).iteration());
        return checkpoints.written.get(0);
    }

    @ParameterizedTest
    @MethodSource("methods")
    void resumingFromACheckpointEndsBitForBitWhereTheUninterruptedRunEnds(IterativeMethod method) {
        List<TrainingProgress> whole = new ArrayList<>();
        TrainingOutcome uninterrupted = train(method, HP, whole, () -> false, Checkpointing.NONE);

        byte[] checkpoint = suspendAfterK(method);
        List<TrainingProgress> rest = new ArrayList<>();
        MemoryCheckpoints resume = new MemoryCheckpoints(checkpoint, it -> false, false);
        TrainingOutcome resumed = train(method, HP, rest, () -> false, resume);

        assertEquals(List.of(K), resume.resumedFrom);
        assertEquals(whole.stream().filter(p -> p.iteration() > K).toList(), rest, "progress after K");
        assertSameModel(uninterrupted, resumed);
    }

    /** Early stopping's best iterate (kept as Java arrays) and counters carry: the served model is the best one. */
    @Test
    void earlyStoppingsBestIterateCarriesAcrossTheCheckpoint() {
        Map<String, String> hp = new java.util.HashMap<>(HP);
        hp.put("early_stopping_patience", "100"); // tracks the best evaluated iterate, never stops in 60
        // 40 labelled rows and a high rate: the held-out MAE is lowest at iteration 20 and rises after
        hp.put("learning_rate", "0.1");
        Table small = SyntheticTables.make(40, 240, 11);
        SupervisedMethod method = new SupervisedMethod();
        TrainingOutcome uninterrupted = train(small, method, hp, new ArrayList<>(), () -> false, Checkpointing.NONE);
        assertTrue(uninterrupted.diagnostics().get("best_iteration") < K, "the best iterate must come before the"
                + " checkpoint for this test to see it carried: " + uninterrupted.diagnostics());
        long[] checks = {0};
        MemoryCheckpoints suspend = new MemoryCheckpoints(null, it -> false, true);
        assertThrows(TrainingSuspendedException.class,
                () -> train(small, method, hp, new ArrayList<>(), () -> ++checks[0] > K, suspend));
        MemoryCheckpoints resume = new MemoryCheckpoints(suspend.written.get(0), it -> false, false);
        TrainingOutcome resumed = train(small, method, hp, new ArrayList<>(), () -> false, resume);
        assertSameModel(uninterrupted, resumed);
        assertEquals(uninterrupted.diagnostics(), resumed.diagnostics());
    }

    /**
     * Images: the augmentation views draw from the same seeded generator. The conv network's weights
     * are compared through what they produce: every progress report's loss and held-out MAE after K,
     * the calibration metrics, and g_φ's weights and σ² scale.
     */
    @Test
    void anImageRunResumesExactlyToo() {
        Table images = io.hpl.server.training.SyntheticImages.make(64, 64, 1);
        Map<String, String> hp = Map.of("iterations", "20", "progress_every", "5", "batch_size", "16");
        HplMethod method = new HplMethod();
        List<TrainingProgress> whole = new ArrayList<>();
        TrainingOutcome uninterrupted = train(images, method, hp, whole, () -> false, Checkpointing.NONE);
        long[] checks = {0};
        long k = 13;
        MemoryCheckpoints suspend = new MemoryCheckpoints(null, it -> false, true);
        assertThrows(TrainingSuspendedException.class,
                () -> train(images, method, hp, new ArrayList<>(), () -> ++checks[0] > k, suspend));
        List<TrainingProgress> rest = new ArrayList<>();
        TrainingOutcome resumed = train(images, method, hp, rest, () -> false,
                new MemoryCheckpoints(suspend.written.get(0), it -> false, false));
        assertEquals(whole.stream().filter(p -> p.iteration() > k).toList(), rest);
        assertEquals(uninterrupted.calibrationMetrics(), resumed.calibrationMetrics());
        Object ev = uninterrupted.model().variance();
        if (ev instanceof ViewLearnedVariance e) {
            assertSameLayers(e.learner(), ((ViewLearnedVariance) resumed.model().variance()).learner(), "g_phi");
            assertEquals(e.scale(), ((ViewLearnedVariance) resumed.model().variance()).scale(), 0.0);
        } else {
            assertEquals(ev, resumed.model().variance());
        }
    }

    @Test
    void periodicCheckpointsAreWrittenWhenDueAndResumeExactly() {
        HplMethod method = new HplMethod();
        MemoryCheckpoints periodic = new MemoryCheckpoints(null, it -> it % 25 == 0, false);
        TrainingOutcome uninterrupted = train(method, HP, new ArrayList<>(), () -> false, periodic);
        assertEquals(List.of(25L, 50L), periodic.written.stream().map(b -> Checkpoint.decode(b).iteration()).toList());

        MemoryCheckpoints resume = new MemoryCheckpoints(periodic.written.get(0), it -> false, false);
        assertSameModel(uninterrupted, train(method, HP, new ArrayList<>(), () -> false, resume));
        assertEquals(List.of(25L), resume.resumedFrom);
    }

    @Test
    void aCheckpointThatDoesNotFitTheRunIsDiscardedAndTheRunStartsOver() {
        byte[] supervised = suspendAfterK(new SupervisedMethod());
        HplMethod method = new HplMethod();
        TrainingOutcome fresh = train(method, HP, new ArrayList<>(), () -> false, Checkpointing.NONE);
        MemoryCheckpoints offered = new MemoryCheckpoints(supervised, it -> false, false);
        TrainingOutcome run = train(method, HP, new ArrayList<>(), () -> false, offered);
        assertEquals(1, offered.discarded.size());
        assertTrue(offered.discarded.get(0).contains("SUPERVISED"), offered.discarded.get(0));
        assertTrue(offered.resumedFrom.isEmpty());
        assertSameModel(fresh, run);
    }

    private static void assertSameModel(TrainingOutcome expected, TrainingOutcome actual) {
        assertSameLayers((Mlp) expected.model().regressor(), (Mlp) actual.model().regressor(), "f_theta");
        Object ev = expected.model().variance();
        Object av = actual.model().variance();
        assertEquals(ev.getClass(), av.getClass());
        if (ev instanceof ViewLearnedVariance e) {
            ViewLearnedVariance a = (ViewLearnedVariance) av;
            assertSameLayers(e.learner(), a.learner(), "g_phi");
            assertEquals(e.scale(), a.scale(), 0.0, "sigma^2 scale");
        } else if (ev instanceof RowLearnedVariance e) {
            RowLearnedVariance a = (RowLearnedVariance) av;
            assertSameLayers(e.learner(), a.learner(), "g_phi");
            assertEquals(e.scale(), a.scale(), 0.0, "sigma^2 scale");
        } else {
            assertEquals(ev, av);
        }
        assertEquals(expected.calibrationMetrics(), actual.calibrationMetrics());
    }

    private static void assertSameLayers(Mlp expected, Mlp actual, String what) {
        assertEquals(expected.layers().size(), actual.layers().size());
        for (int i = 0; i < expected.layers().size(); i++) {
            DenseLayer e = expected.layers().get(i);
            DenseLayer a = actual.layers().get(i);
            assertArrayEquals(e.weight(), a.weight(), what + " layer " + i + " weight");
            assertArrayEquals(e.bias(), a.bias(), what + " layer " + i + " bias");
        }
    }
}
