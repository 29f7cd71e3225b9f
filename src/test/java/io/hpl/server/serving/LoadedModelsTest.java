package io.hpl.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.evaluation.Metrics;
import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.MethodName;
import io.hpl.server.errors.HplException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eviction and delete never close a session that a caller still holds. */
class LoadedModelsTest {
    @TempDir
    Path root;

    private final OrtSessionFactory factory = new OrtSessionFactory(OrtSessionFactory.Device.CPU);

    private static ModelRecord draft(String name, TrainedModel model) {
        return new ModelRecord(name, 0, MethodName.SUPERVISED, Map.of(), 1, "ds-1", "abc", model.schema(),
                new Metrics(10, 0.1, 0.2, 0.9, 1.0, 0.9, Double.NaN), null, null, 0, "constant", 8, 0, 2, 1.5);
    }

    private List<ModelRecord> publish(ModelStore store, TrainedModel model, int count) throws Exception {
        List<ModelRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] onnx = new OnnxModelWriter().write(model, Map.of("hpl.model_id", "m-" + i));
            records.add(store.publish(draft("m" + i, model), onnx));
        }
        return records;
    }

    @Test
    void anEvictedSessionStaysOpenUntilItsLastLeaseIsReleased() throws Exception {
        TrainedModel model = RandomModels.model(3);
        ModelStore store = new ModelStore(root);
        List<ModelRecord> records = publish(store, model, 2);
        LoadedModels loaded = new LoadedModels(store, factory, 1);
        float[][] rows = RandomModels.rows(model, 1, 4);

        LoadedModels.Lease first = loaded.acquire(records.get(0));
        try (LoadedModels.Lease second = loaded.acquire(records.get(1))) { // evicts the first: over capacity
            assertEquals(1, loaded.loaded());
            assertEquals(4, first.session().predict(rows).size(), "evicted but still leased: still open");
            assertEquals(4, second.session().predict(rows).size());
        }
        loaded.evict("m0", 0); // already evicted: nothing to do
        OnnxModelSession session = first.session();
        first.close();
        assertThrows(IllegalStateException.class, () -> session.predict(rows), "closed by its last release");
        first.close(); // releasing twice changes nothing
    }

    @Test
    void aDeletedModelsSessionServesTheLeaseThatHoldsIt() throws Exception {
        TrainedModel model = RandomModels.model(4);
        ModelStore store = new ModelStore(root);
        ModelRecord record = publish(store, model, 1).get(0);
        LoadedModels loaded = new LoadedModels(store, factory, 4);
        try (LoadedModels.Lease lease = loaded.acquire(record)) {
            loaded.evict("m0", 0);
            assertEquals(0, loaded.loaded());
            assertEquals(2, lease.session().predict(RandomModels.rows(model, 2, 2)).size());
        }
    }

    /** Loading one version happens outside the lock: another version loads and serves meanwhile. */
    @Test
    void oneModelLoadingDoesNotHoldUpTheOthers() throws Exception {
        TrainedModel model = RandomModels.model(5);
        ModelStore store = new ModelStore(root);
        List<ModelRecord> records = publish(store, model, 2);
        float[][] rows = RandomModels.rows(model, 1, 2);
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch slowMayFinish = new CountDownLatch(1);
        LoadedModels loaded = new LoadedModels(record -> {
            if (record.name().equals("m0")) {
                slowStarted.countDown();
                awaitOrFail(slowMayFinish);
            }
            return factory.open(store.readOnnx(record));
        }, 4);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> slow = pool.submit(() -> predictOnce(loaded, records.get(0), rows));
            assertTrue(slowStarted.await(30, TimeUnit.SECONDS), "m0 started loading");
            Future<Integer> other = pool.submit(() -> predictOnce(loaded, records.get(1), rows));
            assertEquals(2, other.get(30, TimeUnit.SECONDS), "m1 loads and serves while m0 is still loading");
            assertFalse(slow.isDone(), "m0 is still loading");
            slowMayFinish.countDown();
            assertEquals(2, slow.get(30, TimeUnit.SECONDS));
        } finally {
            slowMayFinish.countDown();
            pool.shutdownNow();
        }
    }

    /** A load that fails answers its callers with the cause and is tried again by the next caller. */
    @Test
    void aFailedLoadIsReportedAndRetried() throws Exception {
        TrainedModel model = RandomModels.model(6);
        ModelStore store = new ModelStore(root);
        ModelRecord record = publish(store, model, 1).get(0);
        AtomicInteger attempts = new AtomicInteger();
        LoadedModels loaded = new LoadedModels(r -> {
            if (attempts.incrementAndGet() == 1) {
                throw new ai.onnxruntime.OrtException("simulated: out of memory while optimising the graph");
            }
            return factory.open(store.readOnnx(r));
        }, 4);
        HplException e = assertThrows(HplException.class, () -> loaded.acquire(record));
        assertTrue(e.getMessage().contains("cannot be loaded by ONNX Runtime: simulated"), e.getMessage());
        assertEquals(0, loaded.loaded(), "the failed entry is gone");
        assertEquals(3, predictOnce(loaded, record, RandomModels.rows(model, 1, 3)));
        assertEquals(2, attempts.get());
    }

    private static int predictOnce(LoadedModels loaded, ModelRecord record, float[][] rows) throws Exception {
        try (LoadedModels.Lease lease = loaded.acquire(record)) {
            return lease.session().predict(rows).size();
        }
    }

    private static void awaitOrFail(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the load finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The case: more models in use than the maximum, from several threads, with deletes: 0 failures. */
    @Test
    void manyThreadsOverMoreModelsThanTheMaximumNeverFail() throws Exception {
        TrainedModel model = RandomModels.model(5);
        ModelStore store = new ModelStore(root);
        List<ModelRecord> records = publish(store, model, 4);
        LoadedModels loaded = new LoadedModels(store, factory, 2);
        float[][] rows = RandomModels.rows(model, 3, 8);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger predictions = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        ModelRecord record = records.get((thread + i) % records.size());
                        if (thread == 0 && i % 10 == 0) {
                            loaded.evict(record.name(), 0); // as DeleteModel does, while others predict
                        }
                        try (LoadedModels.Lease lease = loaded.acquire(record)) {
                            lease.session().predict(rows);
                            predictions.incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            failures.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(0, failures.get(), "failed predictions");
        assertEquals(1800, predictions.get());
        assertTrue(loaded.loaded() <= 2, loaded.loaded() + " loaded");
        loaded.closeAll();
    }
}
