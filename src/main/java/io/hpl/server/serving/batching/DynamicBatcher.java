package io.hpl.server.serving.batching;

import ai.onnxruntime.OrtException;
import io.grpc.Context;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.Predictions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Coalesces concurrent small scoring calls on one model version into one ONNX Runtime run and
 * hands each caller its own rows' results, in its order. One run of 32 rows costs about what 3 runs
 * of one row cost (docs/benchmark.md), so under load fewer, larger runs serve more rows a second.
 *
 * <p>No thread of its own and no timer (leader/follower): a call that finds a run slot free
 * ({@link BatchingSettings#concurrentRuns}) runs at once, taking along whatever calls are queued; a
 * call that finds every slot busy queues and its thread waits. When a run ends, its leader hands the
 * slot to the oldest queued call, whose thread then runs the next batch. So an idle server adds no
 * delay to a lone call (it never waits for company), and under load batches form by themselves from
 * the calls that arrived during the previous run.
 *
 * <p>Bounded: at most {@link BatchingSettings#maxQueuedRows} rows wait; past it a call is refused
 * RESOURCE_EXHAUSTED at once. A queued call whose gRPC call is cancelled (or passes its deadline)
 * leaves the queue with CANCELLED. A failing batch is re-run call by call, so one bad call does not
 * fail the others' rows. {@link #close} answers queued calls UNAVAILABLE. A thread that must not
 * block ({@code mayWait} false: an event loop) never queues: it runs alone when every slot is busy.
 */
public final class DynamicBatcher implements AutoCloseable {
    /** Scores rows packed row-major ({@code rows} × width values): the model session. */
    @FunctionalInterface
    public interface Runner {
        Predictions run(float[] values, int rows) throws OrtException;
    }

    /** Completes a queued call's turn when its thread is to run the next batch, not with results. */
    private static final Predictions LEAD = new Predictions(new double[0], new double[0]);

    private final Runner runner;
    private final int width;
    private final BatchingSettings settings;
    private final BatchObserver observer;
    private final BooleanSupplier mayWait;
    private final String model;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when calls join the queue, for a leader waiting out max-queue-delay. */
    private final Condition joined = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private int queuedRows;
    private int running;
    private boolean closed;

    /** One caller's rows; {@code outcome} gets its results, LEAD, or its failure. */
    private static final class Call {
        final float[] values;
        final int rows;
        /** When it joined the queue; 0 for a call that found a slot free and never queued. */
        final long queuedAt;
        final CompletableFuture<Predictions> outcome = new CompletableFuture<>();

        Call(float[] values, int rows, long queuedAt) {
            this.values = values;
            this.rows = rows;
            this.queuedAt = queuedAt;
        }

        /** The same rows for a call that was handed the slot: its outcome so far was only LEAD. */
        Call leading() {
            return new Call(values, rows, queuedAt);
        }
    }

    /**
     * @param width   values per row the runner takes (calls of another width run alone, and fail there)
     * @param mayWait whether the calling thread may wait in the queue
     * @param model   the model version, for messages ("model 'house' version 3")
     */
    public DynamicBatcher(Runner runner, int width, BatchingSettings settings, BatchObserver observer,
                          BooleanSupplier mayWait, String model) {
        this.runner = runner;
        this.width = width;
        this.settings = settings;
        this.observer = observer;
        this.mayWait = mayWait;
        this.model = model;
    }

    /**
     * Scores {@code rows} rows packed row-major in {@code values}, alone or with other callers' rows.
     *
     * @throws HplException RESOURCE_EXHAUSTED when the queue is full, CANCELLED when the call was
     *                      cancelled while queued, UNAVAILABLE when the batcher was closed meanwhile
     */
    public Predictions predict(float[] values, int rows) throws OrtException {
        if (!settings.enabled() || rows < 1 || rows >= settings.maxBatchRows() || (long) rows * width != values.length) {
            return runner.run(values, rows); // nothing to gain, or a call the runner itself refuses
        }
        Call call;
        boolean slot;
        lock.lock();
        try {
            if (closed) {
                throw unavailable();
            }
            slot = running < settings.concurrentRuns();
            if (slot) {
                running++;
                // An idle server's fast path: nothing queued to take along, so nothing to allocate.
                call = queue.isEmpty() ? null : new Call(values, rows, 0);
            } else if (!mayWait.getAsBoolean()) {
                call = null; // runs alone, beside the running batches
            } else {
                if (queuedRows + rows > settings.maxQueuedRows()) {
                    throw HplException.exhausted(queuedRows + " rows are already waiting to be scored by " + model
                            + " (hpl.serving.batching.max-queued-rows = " + settings.maxQueuedRows()
                            + "): the server is overloaded; retry with backoff");
                }
                call = new Call(values, rows, System.nanoTime());
                queue.add(call);
                queuedRows += rows;
                joined.signal();
            }
        } finally {
            lock.unlock();
        }
        if (call == null) {
            return runAlone(values, rows, slot);
        }
        if (slot) {
            return lead(call);
        }
        Predictions outcome = awaitTurn(call);
        return outcome == LEAD ? lead(call.leading()) : outcome;
    }

    /** Runs one call by itself, in the caller's context; hands the slot on after if it took one. */
    private Predictions runAlone(float[] values, int rows, boolean slot) throws OrtException {
        try {
            Predictions p = runner.run(values, rows);
            observer.alone();
            return p;
        } catch (IllegalStateException e) {
            throw isClosed() ? unavailable() : e;
        } finally {
            if (slot) {
                handOn();
            }
        }
    }

    /** Waits until the call is scored by another thread's batch (its results) or is to lead one (LEAD). */
    private Predictions awaitTurn(Call call) throws OrtException {
        Context context = Context.current();
        Context.CancellationListener onCancel = c -> leaveQueue(call, HplException.cancelled(
                "Predict stopped while waiting to be batched: the client cancelled or its deadline passed"));
        context.addListener(onCancel, Runnable::run);
        try {
            return call.outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leaveQueue(call, HplException.cancelled("Predict stopped while waiting to be batched: the server is stopping"));
            return joinRethrowing(call); // queued: fails now; already leading or scored: that outcome
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } finally {
            context.removeListener(onCancel);
        }
    }

    private static Predictions joinRethrowing(Call call) throws OrtException {
        try {
            return call.outcome.join();
        } catch (CompletionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** Fails the call with {@code why} if it is still queued; a call already taken into a batch goes on. */
    private void leaveQueue(Call call, HplException why) {
        lock.lock();
        try {
            if (queue.remove(call)) {
                queuedRows -= call.rows;
                call.outcome.completeExceptionally(why);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs a batch led by {@code own} (with the calls queued behind it), then hands the slot on. */
    private Predictions lead(Call own) throws OrtException {
        List<Call> batch = new ArrayList<>();
        batch.add(own);
        int rows = own.rows;
        lock.lock();
        try {
            rows = waitForMore(rows);
            while (!queue.isEmpty() && rows + queue.peek().rows <= settings.maxBatchRows()) {
                Call next = queue.poll();
                queuedRows -= next.rows;
                rows += next.rows;
                batch.add(next);
            }
        } finally {
            lock.unlock();
        }
        try {
            long started = System.nanoTime();
            for (Call c : batch) {
                if (c.queuedAt != 0) {
                    observer.waited(started - c.queuedAt);
                }
            }
            run(batch, rows);
        } finally {
            handOn();
        }
        return joinRethrowing(own);
    }

    /**
     * With max-queue-delay set and other calls already queued (the server is busy), waits up to that
     * long for a full batch. Never when the queue is empty: a lone call does not wait for company.
     * Caller holds the lock.
     */
    private int waitForMore(int rows) {
        long left = settings.maxQueueDelay().toNanos();
        if (left <= 0 || queue.isEmpty() || !mayWait.getAsBoolean()) {
            return rows;
        }
        try {
            while (left > 0 && !closed && rows + queuedRows < settings.maxBatchRows()) {
                left = joined.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // run with what is there
        }
        return rows;
    }

    /** Gives the slot to the oldest queued call (its thread leads the next batch), or frees it. */
    private void handOn() {
        lock.lock();
        try {
            Call next = queue.poll();
            if (next == null) {
                running--;
            } else {
                queuedRows -= next.rows;
                next.outcome.complete(LEAD);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * One run for the batch, each call's rows split back out; if it fails and holds more than one
     * call, each call runs alone so that only a failing call fails. Runs outside the leader's gRPC
     * context: the leader's own cancel must not stop the others' rows.
     */
    private void run(List<Call> batch, int rows) {
        if (batch.size() == 1) {
            runEach(batch);
            return;
        }
        float[] values = new float[rows * width];
        int at = 0;
        for (Call c : batch) {
            System.arraycopy(c.values, 0, values, at, c.values.length);
            at += c.values.length;
        }
        Predictions all;
        try {
            all = Context.ROOT.call(() -> runner.run(values, rows));
        } catch (Exception | Error e) {
            runEach(batch);
            return;
        }
        observer.ran(batch.size(), rows);
        int from = 0;
        for (Call c : batch) {
            c.outcome.complete(new Predictions(Arrays.copyOfRange(all.mean(), from, from + c.rows),
                    Arrays.copyOfRange(all.variance(), from, from + c.rows)));
            from += c.rows;
        }
    }

    private void runEach(List<Call> batch) {
        for (Call c : batch) {
            try {
                Predictions p = Context.ROOT.call(() -> runner.run(c.values, c.rows));
                observer.alone();
                c.outcome.complete(p);
            } catch (IllegalStateException e) {
                c.outcome.completeExceptionally(isClosed() ? unavailable() : e);
            } catch (Exception | Error e) {
                c.outcome.completeExceptionally(e);
            }
        }
    }

    /** Rows waiting now (for tests and gauges). */
    public int queuedRows() {
        lock.lock();
        try {
            return queuedRows;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a call arriving now would wait: every run slot is taken. */
    public boolean busy() {
        lock.lock();
        try {
            return settings.enabled() && running >= settings.concurrentRuns();
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new calls and answers every queued call UNAVAILABLE; runs in progress finish. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (Call c : queue) {
                c.outcome.completeExceptionally(unavailable());
            }
            queue.clear();
            queuedRows = 0;
            joined.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private HplException unavailable() {
        return new HplException(ErrorKind.UNAVAILABLE, model + " was unloaded (deleted, evicted or the server is"
                + " stopping) while this call waited to be scored; retry");
    }

    private static OrtException rethrow(Throwable cause) throws OrtException {
        if (cause instanceof OrtException ort) {
            throw ort;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(cause);
    }
}
