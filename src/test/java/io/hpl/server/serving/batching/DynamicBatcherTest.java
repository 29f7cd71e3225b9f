package io.hpl.server.serving.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import io.grpc.Context;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.Predictions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher with a fake model whose first run can be held open, so that other calls queue behind
 * it deterministically (each test waits for the queue to reach a known size, never for a time).
 * The fake's mean of a row is the row's first value and its σ² the row's position in the run, so a
 * caller's results show whose rows it got back and in what order.
 */
class DynamicBatcherTest {
    private static final int WIDTH = 2;
    private static final long WAIT_SECONDS = 30;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A model that records its runs and holds the first one until {@link #release()}. */
    static final class FakeModel implements DynamicBatcher.Runner {
        final List<float[]> runs = new CopyOnWriteArrayList<>();
        final List<String> runThreads = new CopyOnWriteArrayList<>();
        final CountDownLatch firstEntered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean holdFirst;

        @Override
        public Predictions run(float[] values, int rows) throws OrtException {
            boolean first = runs.isEmpty();
            runs.add(values.clone());
            runThreads.add(Thread.currentThread().getName());
            if (first && holdFirst) {
                firstEntered.countDown();
                try {
                    assertTrue(gate.await(WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            double[] mean = new double[rows];
            double[] variance = new double[rows];
            for (int i = 0; i < rows; i++) {
                if (Float.isNaN(values[i * WIDTH])) {
                    throw new OrtException("a NaN the fake model refuses (row " + i + ")");
                }
                mean[i] = values[i * WIDTH];
                variance[i] = i;
            }
            return new Predictions(mean, variance);
        }

        void release() {
            gate.countDown();
        }
    }

    private static BatchingSettings settings(int maxBatchRows, int maxQueuedRows) {
        return new BatchingSettings(true, maxBatchRows, Duration.ZERO, maxQueuedRows, 1);
    }

    private static DynamicBatcher batcher(FakeModel model, BatchingSettings settings) {
        return batcher(model, settings, BatchObserver.NONE);
    }

    private static DynamicBatcher batcher(FakeModel model, BatchingSettings settings, BatchObserver observer) {
        BooleanSupplier mayWait = () -> !Thread.currentThread().getName().startsWith("event-loop");
        return new DynamicBatcher(model, WIDTH, settings, observer, mayWait, "model 'm' version 1");
    }

    /** What the batcher reported, as "alone" and "calls/rows" entries, and how many queued calls waited. */
    static final class RecordingObserver implements BatchObserver {
        final List<String> runs = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void ran(int calls, int rows) {
            runs.add(calls + "/" + rows);
        }

        @Override
        public void alone() {
            runs.add("alone");
        }

        @Override
        public void waited(long nanos) {
            waits.incrementAndGet();
        }
    }

    /** {@code rows} rows of caller {@code caller}: first value caller*100 + row, second 0. */
    private static float[] rowsOf(int caller, int rows) {
        float[] values = new float[rows * WIDTH];
        for (int r = 0; r < rows; r++) {
            values[r * WIDTH] = caller * 100 + r;
        }
        return values;
    }

    private static void awaitQueued(DynamicBatcher batcher, int rows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (batcher.queuedRows() != rows) {
            assertTrue(System.nanoTime() < deadline, "queue never reached " + rows + " rows; has " + batcher.queuedRows());
            Thread.sleep(1); // a bounded poll on a condition, not a synchronisation by time
        }
    }

    /** Starts a call that becomes the leader and stays in its run until the model is released. */
    private Future<Predictions> holdLeader(FakeModel model, DynamicBatcher batcher) throws InterruptedException {
        model.holdFirst = true;
        Future<Predictions> leader = threads.submit(() -> batcher.predict(rowsOf(0, 1), 1));
        assertTrue(model.firstEntered.await(WAIT_SECONDS, TimeUnit.SECONDS));
        return leader;
    }

    @Test
    void aLoneCallRunsAtOnceOnItsOwnThread() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(64, 100));
        Predictions p = batcher.predict(rowsOf(7, 3), 3);
        assertArrayEquals(new double[] {700, 701, 702}, p.mean());
        assertEquals(1, model.runs.size());
        assertEquals(Thread.currentThread().getName(), model.runThreads.get(0));
    }

    @Test
    void queuedCallsRunAsOneBatchAndEachGetsItsOwnRowsInOrder() throws Exception {
        FakeModel model = new FakeModel();
        RecordingObserver observer = new RecordingObserver();
        DynamicBatcher batcher = batcher(model, settings(64, 100), observer);
        Future<Predictions> leader = holdLeader(model, batcher);
        List<Future<Predictions>> callers = new ArrayList<>();
        int queued = 0;
        for (int caller = 1; caller <= 5; caller++) {
            int c = caller;
            int rows = 1 + caller % 3;
            callers.add(threads.submit(() -> batcher.predict(rowsOf(c, rows), rows)));
            queued += rows;
            awaitQueued(batcher, queued); // in this order in the queue
        }
        model.release();
        assertArrayEquals(new double[] {0}, leader.get(WAIT_SECONDS, TimeUnit.SECONDS).mean());
        int position = 0;
        for (int caller = 1; caller <= 5; caller++) {
            int rows = 1 + caller % 3;
            Predictions p = callers.get(caller - 1).get(WAIT_SECONDS, TimeUnit.SECONDS);
            double[] expectedMean = new double[rows];
            double[] expectedPosition = new double[rows];
            for (int r = 0; r < rows; r++) {
                expectedMean[r] = caller * 100 + r;
                expectedPosition[r] = position++;
            }
            assertArrayEquals(expectedMean, p.mean(), "caller " + caller + "'s rows, in its order");
            assertArrayEquals(expectedPosition, p.variance(), "caller " + caller + " was at these rows of the one run");
        }
        assertEquals(2, model.runs.size(), "the leader's run, then one run for all five queued calls");
        assertEquals(position * WIDTH, model.runs.get(1).length);
        assertEquals(0, batcher.queuedRows());
        assertEquals(List.of("alone", "5/" + position), observer.runs, "the leader alone, then 5 calls in one run");
        assertEquals(5, observer.waits.get(), "the five queued calls waited; the leader did not");
    }

    @Test
    void aBatchNeverPassesMaxBatchRows() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(4, 100));
        Future<Predictions> leader = holdLeader(model, batcher);
        List<Future<Predictions>> callers = new ArrayList<>();
        for (int caller = 1; caller <= 4; caller++) {
            int c = caller;
            callers.add(threads.submit(() -> batcher.predict(rowsOf(c, 3), 3)));
            awaitQueued(batcher, 3 * caller);
        }
        model.release();
        leader.get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (int caller = 1; caller <= 4; caller++) {
            assertArrayEquals(new double[] {caller * 100, caller * 100 + 1, caller * 100 + 2},
                    callers.get(caller - 1).get(WAIT_SECONDS, TimeUnit.SECONDS).mean());
        }
        for (float[] run : model.runs) {
            assertTrue(run.length / WIDTH <= 4, "a run of " + run.length / WIDTH + " rows");
        }
        assertEquals(5, model.runs.size(), "3-row calls cannot share a 4-row batch: each runs in its turn");
    }

    @Test
    void aFullQueueRefusesTheCallAtOnce() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(64, 3));
        Future<Predictions> leader = holdLeader(model, batcher);
        Future<Predictions> queued = threads.submit(() -> batcher.predict(rowsOf(1, 2), 2));
        awaitQueued(batcher, 2);
        HplException refused = assertThrows(HplException.class, () -> batcher.predict(rowsOf(2, 2), 2));
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, refused.kind());
        assertTrue(refused.getMessage().contains("hpl.serving.batching.max-queued-rows"), refused.getMessage());
        model.release();
        leader.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertArrayEquals(new double[] {100, 101}, queued.get(WAIT_SECONDS, TimeUnit.SECONDS).mean());
    }

    @Test
    void aCancelledQueuedCallLeavesTheQueueAndTheOthersGoOn() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(64, 100));
        Future<Predictions> leader = holdLeader(model, batcher);
        Context.CancellableContext call = Context.ROOT.withCancellation();
        Future<Predictions> cancelled = threads.submit(() -> call.call(() -> batcher.predict(rowsOf(1, 2), 2)));
        awaitQueued(batcher, 2);
        Future<Predictions> kept = threads.submit(() -> batcher.predict(rowsOf(2, 1), 1));
        awaitQueued(batcher, 3);
        call.cancel(null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> cancelled.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(ErrorKind.CANCELLED, assertInstanceOf(HplException.class, e.getCause()).kind());
        assertEquals(1, batcher.queuedRows(), "only the kept call waits");
        model.release();
        leader.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertArrayEquals(new double[] {200}, kept.get(WAIT_SECONDS, TimeUnit.SECONDS).mean());
        for (float[] run : model.runs) {
            assertTrue(run[0] != 100f, "the cancelled call's rows were never scored");
        }
    }

    @Test
    void aFailingCallInABatchFailsAloneAndTheOthersGetTheirRows() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(64, 100));
        Future<Predictions> leader = holdLeader(model, batcher);
        Future<Predictions> before = threads.submit(() -> batcher.predict(rowsOf(1, 1), 1));
        awaitQueued(batcher, 1);
        float[] bad = rowsOf(2, 2);
        bad[WIDTH] = Float.NaN;
        Future<Predictions> failing = threads.submit(() -> batcher.predict(bad, 2));
        awaitQueued(batcher, 3);
        Future<Predictions> after = threads.submit(() -> batcher.predict(rowsOf(3, 1), 1));
        awaitQueued(batcher, 4);
        model.release();
        leader.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertArrayEquals(new double[] {100}, before.get(WAIT_SECONDS, TimeUnit.SECONDS).mean());
        assertArrayEquals(new double[] {300}, after.get(WAIT_SECONDS, TimeUnit.SECONDS).mean());
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(OrtException.class, e.getCause());
    }

    @Test
    void closingAnswersQueuedCallsUnavailableAndRefusesNewOnes() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(64, 100));
        Future<Predictions> leader = holdLeader(model, batcher);
        Future<Predictions> queued = threads.submit(() -> batcher.predict(rowsOf(1, 1), 1));
        awaitQueued(batcher, 1);
        batcher.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(WAIT_SECONDS, TimeUnit.SECONDS));
        HplException unavailable = assertInstanceOf(HplException.class, e.getCause());
        assertEquals(ErrorKind.UNAVAILABLE, unavailable.kind());
        assertTrue(unavailable.getMessage().contains("model 'm' version 1"), unavailable.getMessage());
        assertEquals(ErrorKind.UNAVAILABLE,
                assertThrows(HplException.class, () -> batcher.predict(rowsOf(2, 1), 1)).kind());
        model.release();
        assertArrayEquals(new double[] {0}, leader.get(WAIT_SECONDS, TimeUnit.SECONDS).mean(), "the run in progress finishes");
    }

    @Test
    void aThreadThatMayNotWaitRunsAloneInsteadOfQueueing() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(64, 100));
        Future<Predictions> leader = holdLeader(model, batcher);
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "event-loop-test"));
        try {
            Predictions p = loop.submit(() -> batcher.predict(rowsOf(4, 1), 1)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertArrayEquals(new double[] {400}, p.mean(), "answered while the leader's run is still held");
        } finally {
            loop.shutdownNow();
        }
        assertEquals("event-loop-test", model.runThreads.get(1));
        model.release();
        leader.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void callsOfMaxBatchRowsOrMoreAndCallsWithBatchingOffRunAlone() throws Exception {
        FakeModel model = new FakeModel();
        DynamicBatcher batcher = batcher(model, settings(4, 100));
        Future<Predictions> leader = holdLeader(model, batcher);
        assertEquals(4, batcher.predict(rowsOf(5, 4), 4).size(), "a batch in itself: not queued behind the held run");
        model.release();
        leader.get(WAIT_SECONDS, TimeUnit.SECONDS);

        FakeModel off = new FakeModel();
        DynamicBatcher disabled = batcher(off, BatchingSettings.OFF);
        Future<Predictions> held = holdLeader(off, disabled);
        assertArrayEquals(new double[] {600}, disabled.predict(rowsOf(6, 1), 1).mean(), "off: nothing waits");
        off.release();
        held.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void settingsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new BatchingSettings(true, 0, Duration.ZERO, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new BatchingSettings(true, 8, Duration.ofMillis(-1), 10, 1));
        assertSame(BatchingSettings.OFF, BatchingSettings.OFF);
    }
}
