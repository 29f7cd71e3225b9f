package io.hpl.server.serving;

import ai.onnxruntime.OrtException;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.metrics.BatchingMetrics;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.batching.BatchObserver;
import io.hpl.server.serving.batching.BatchingSettings;
import io.hpl.server.serving.batching.DynamicBatcher;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import jakarta.annotation.PreDestroy;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * One ONNX Runtime session per model version in use, loaded on first use and retired when the
 * version is deleted or has been used least recently among more than the configured maximum.
 * Keyed by the ONNX digest too, so a version number reused after a delete never serves old bytes.
 *
 * <p>Sessions are reference-counted: a caller {@link #acquire acquires} a {@link Lease} and a
 * retired session is closed only when its last lease is released. Closing at eviction instead
 * failed 1.9% of Predict calls ("model session is closed") when more versions were in use than
 * the maximum, since another thread could evict a session between its lookup and its use.
 *
 * <p>A session is loaded outside the lock: the first caller of a version loads it while callers of
 * other versions go on; callers of the same version wait for that one load. Loading inside the
 * lock made every Predict on every model wait for one model's load (seconds for a large one).
 */
@ApplicationScoped
public class LoadedModels {
    private static final Logger LOG = Logger.getLogger(LoadedModels.class);

    /** Reads a version's ONNX bytes and opens its session: slow (disk, graph optimisation). */
    @FunctionalInterface
    interface SessionLoader {
        OnnxModelSession load(ModelRecord record) throws OrtException;
    }

    private final SessionLoader loader;
    private final int capacity;
    private final BatchingSettings batching;
    private final BatchObserver batchObserver;
    /** Guarded by this; in access order, least recently used first. */
    private final Map<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

    @Inject
    public LoadedModels(ModelStore store, OrtSessionFactory factory, ServerConfig config, BatchingMetrics metrics) {
        this(record -> factory.open(store.readOnnx(record)), config.serving().maxLoadedModels(),
                settings(config.serving().batching()), metrics);
    }

    LoadedModels(ModelStore store, OrtSessionFactory factory, int capacity) {
        this(record -> factory.open(store.readOnnx(record)), capacity);
    }

    LoadedModels(SessionLoader loader, int capacity) {
        this(loader, capacity, BatchingSettings.OFF, BatchObserver.NONE);
    }

    LoadedModels(SessionLoader loader, int capacity, BatchingSettings batching, BatchObserver batchObserver) {
        this.loader = loader;
        this.capacity = capacity;
        this.batching = batching;
        this.batchObserver = batchObserver;
    }

    static BatchingSettings settings(ServerConfig.Serving.Batching b) {
        return new BatchingSettings(b.enabled(), b.maxBatchRows(), b.maxQueueDelay(), b.maxQueuedRows(), b.concurrentRuns());
    }

    /** A session (once loaded) and its count of leases; the counts are guarded by the LoadedModels that holds it. */
    private static final class Entry {
        final CompletableFuture<OnnxModelSession> session = new CompletableFuture<>();
        /** Set with the session (before it completes); null while loading. */
        volatile DynamicBatcher batcher;
        int leases;
        boolean retired;
    }

    /** The use of one session: the session stays open until {@link #close()}, whatever is evicted meanwhile. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public OnnxModelSession session() {
            return entry.session.join(); // complete: acquire returns a lease only once its session is loaded
        }

        /**
         * Scores rows packed row-major; small calls are coalesced with other callers' (see
         * {@link DynamicBatcher}) when batching is on. Every scoring path goes through here.
         */
        public Predictions predict(float[] values, int rows) throws OrtException {
            return entry.batcher.predict(values, rows);
        }

        /** The same for one array per row (rows of another width fail in the session, as before). */
        public Predictions predict(float[][] rows) throws OrtException {
            OnnxModelSession session = session();
            int width = session.inputWidth();
            if (!batching.enabled() || rows.length >= batching.maxBatchRows()) {
                return session.predict(rows);
            }
            float[] values = new float[rows.length * width];
            for (int i = 0; i < rows.length; i++) {
                if (rows[i].length != width) {
                    return session.predict(rows); // refuses it with the row's number
                }
                System.arraycopy(rows[i], 0, values, i * width, width);
            }
            return predict(values, rows.length);
        }

        @Override
        public void close() {
            release(this);
        }
    }

    /**
     * Moving an alias loads its target first (the store calls this before the move), so the first
     * Predict after a promotion does not pay the load. Registered at startup: the store is built first.
     */
    void warmUpOnPromotion(@Observes StartupEvent started, ModelStore store) {
        store.onGoingLive(this::warm);
    }

    /** Loads the version's session now if it is not loaded, and keeps it loaded (it counts as just used). */
    public void warm(ModelRecord record) {
        acquire(record).close();
    }

    /**
     * Whether this version's session is loaded (not loading, not failed): a Predict on it pays no load.
     * Any published version is ready to serve (it loads on first use); this says whether it is warm.
     * OIP's ModelReady can read it too.
     */
    public synchronized boolean isLoaded(ModelRecord record) {
        Entry entry = sessions.get(sessionKey(record));
        return entry != null && entry.session.isDone() && !entry.session.isCompletedExceptionally();
    }

    /** Leases the session of {@code record}, loading it first if needed; close the lease when done. */
    public Lease acquire(ModelRecord record) {
        String key = sessionKey(record);
        Entry entry;
        boolean loadHere;
        Lease lease;
        synchronized (this) {
            entry = sessions.get(key);
            loadHere = entry == null;
            if (loadHere) {
                entry = new Entry();
                sessions.put(key, entry);
            }
            entry.leases++; // held while loading too, so eviction meanwhile retires it instead of closing it
            lease = new Lease(entry);
            evictBeyondCapacity(); // never the entry just leased: it is retired, not closed
        }
        if (loadHere) {
            load(key, entry, record);
        }
        try {
            entry.session.join();
            return lease;
        } catch (CompletionException e) {
            lease.close();
            throw e.getCause() instanceof HplException h ? h : new HplException(ErrorKind.INTERNAL, "model "
                    + EchoedInput.quote(record.name()) + " version " + record.version() + " cannot be loaded by ONNX Runtime: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private void load(String key, Entry entry, ModelRecord record) {
        try {
            OnnxModelSession session = loader.load(record);
            entry.batcher = new DynamicBatcher(session::predict, session.inputWidth(), batching, batchObserver,
                    LoadedModels::mayWait, "model " + EchoedInput.quote(record.name()) + " version " + record.version());
            entry.session.complete(session);
            LOG.infof("loaded model %s version %d", record.name(), record.version());
        } catch (OrtException | RuntimeException | Error e) {
            synchronized (this) {
                sessions.remove(key, entry); // the next caller tries again
            }
            entry.session.completeExceptionally(e); // never left pending: callers of this version wait on it
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    private synchronized void release(Lease lease) {
        if (lease.released) {
            return;
        }
        lease.released = true;
        Entry entry = lease.entry;
        entry.leases--;
        if (entry.retired && entry.leases == 0) {
            close(entry);
        }
    }

    /** Retires the sessions of a deleted model: one version, or all when {@code version} is 0. */
    public synchronized void evict(String name, int version) {
        String prefix = version == 0 ? name + "/" : key(name, version) + "@";
        sessions.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix)) {
                retire(e.getValue());
                return true;
            }
            return false;
        });
    }

    /**
     * Whether a small call on this version would wait for a batch now (every run slot busy): such a
     * call is better sent to a worker thread, where it may wait, than run on an event loop.
     */
    public synchronized boolean batchingBusy(ModelRecord record) {
        Entry entry = sessions.get(sessionKey(record));
        DynamicBatcher batcher = entry == null ? null : entry.batcher;
        return batcher != null && batcher.busy();
    }

    /** An event loop must never block: its calls run alone rather than wait in a batch queue. */
    private static boolean mayWait() {
        return !io.vertx.core.Context.isOnEventLoopThread();
    }

    public synchronized int loaded() {
        return sessions.size();
    }

    private void evictBeyondCapacity() {
        var it = sessions.entrySet().iterator();
        while (sessions.size() > capacity && it.hasNext()) {
            retire(it.next().getValue());
            it.remove();
        }
    }

    /** Out of the map; closed now if no lease holds it, else by its last lease's release. */
    private static void retire(Entry entry) {
        entry.retired = true;
        if (entry.leases == 0) {
            close(entry);
        }
    }

    private static String sessionKey(ModelRecord record) {
        return key(record.name(), record.version()) + "@" + record.onnxSha256();
    }

    private static String key(String name, int version) {
        return name + "/" + version;
    }

    /** Closes the entry's session if it was loaded (a failed load has none). */
    private static void close(Entry entry) {
        OnnxModelSession session = entry.session.isDone() && !entry.session.isCompletedExceptionally()
                ? entry.session.join() : null;
        if (session == null) {
            return;
        }
        if (entry.batcher != null) {
            entry.batcher.close(); // queued calls answer UNAVAILABLE instead of finding the session closed
        }
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing an ONNX Runtime session failed", e);
        }
    }

    @PreDestroy
    synchronized void closeAll() {
        sessions.values().forEach(LoadedModels::close); // at shutdown: waits for predictions in flight
        sessions.clear();
    }
}
