package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.hpl.server.data.Table;
import io.hpl.server.store.JobStore;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.IterativeMethod;
import io.hpl.server.training.SyntheticImages;
import io.hpl.server.training.SyntheticTables;
import io.hpl.server.training.checkpoint.Checkpoint;
import io.hpl.server.training.checkpoint.Checkpointing;
import io.hpl.server.training.method.HplMethod;
import io.hpl.server.training.method.SupervisedMethod;
import io.hpl.server.training.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a checkpoint costs, as a table: its size and the time from "due" to "on disk" (capturing
 * the state from the native arrays, encoding, writing with fsync, the atomic rename into
 * {@code jobs/}), next to the time of one training iteration. Measures only; asserts nothing about
 * speed. Run: {@code ./mvnw -B -o test -Dtest=CheckpointCostBenchmarkTest}.
 */
@Tag("benchmark")
class CheckpointCostBenchmarkTest {
    private static final String JOB = "job-00000000-0000-0000-0000-00000000c0de";

    @TempDir
    Path root;

    /** Writes through the job store every {@code every} iterations and times each write from its "due". */
    private static final class TimedCheckpoints implements Checkpointing {
        final List<Double> millis = new ArrayList<>();
        int bytes;
        private final JobStore store;
        private final int every;
        private long dueAt;

        TimedCheckpoints(JobStore store, int every) {
            this.store = store;
            this.every = every;
        }

        public Optional<Checkpoint> latest() { return Optional.empty(); }
        public boolean suspendRequested() { return false; }

        public boolean due(long iteration) {
            dueAt = System.nanoTime(); // the loop captures the state right after this returns true
            return iteration % every == 0;
        }

        public void write(Checkpoint checkpoint) {
            byte[] encoded = checkpoint.encode();
            store.saveCheckpoint(JOB, encoded);
            millis.add((System.nanoTime() - dueAt) / 1e6);
            bytes = encoded.length;
        }
    }

    private record Case(String name, IterativeMethod method, Table table, Map<String, String> hp) {
    }

    @Test
    void printsTheCostOfACheckpointPerNetwork() {
        List<Case> cases = List.of(
                new Case("SUPERVISED, MLP 256,256 (default), 5 features", new SupervisedMethod(),
                        SyntheticTables.make(400, 0, 1), Map.of()),
                new Case("HPL, MLP 256,256 + g_phi, 5 features", new HplMethod(),
                        SyntheticTables.make(400, 800, 1), Map.of()),
                new Case("HPL, MLP 1024,1024,1024, 5 features", new HplMethod(),
                        SyntheticTables.make(400, 800, 1), Map.of("hidden_layers", "1024,1024,1024")),
                new Case("HPL, small_cnn, 12x12 images", new HplMethod(),
                        SyntheticImages.make(200, 200, 1), Map.of("batch_size", "32")));
        int iterations = 60;
        int every = 10;
        StringBuilder table = new StringBuilder(String.format("%n%-48s %12s %16s %14s%n", "run", "checkpoint",
                "ms per write", "ms/iteration"));
        for (Case c : cases) {
            Map<String, String> given = new java.util.HashMap<>(c.hp());
            given.put("iterations", Integer.toString(iterations));
            given.put("progress_every", Integer.toString(iterations));
            JobStore store = new JobStore(root);
            TimedCheckpoints checkpoints = new TimedCheckpoints(store, every);
            var outcome = c.method().train(new TrainingRun(c.table(),
                    HyperParameters.resolve(c.method().hyperParameters(), given), 1, Device.cpu(), p -> { },
                    () -> false, checkpoints));
            assertEquals(iterations / every - 1, checkpoints.millis.size()); // none after the last iteration
            double median = checkpoints.millis.stream().sorted().toList().get(checkpoints.millis.size() / 2);
            table.append(String.format("%-48s %9.1f KB %16.1f %14.2f%n", c.name(), checkpoints.bytes / 1024.0, median,
                    outcome.millisPerIteration()));
        }
        table.append("(ms per write: median of ").append(iterations / every - 1)
                .append(" writes, state capture + encode + fsync + rename; ms/iteration: the run's mean step time)");
        System.out.println(table);
    }
}
