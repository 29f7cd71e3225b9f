package io.hpl.server.serving;

import ai.onnxruntime.OrtException;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One ONNX Runtime session per model version in use, loaded on first use and closed when the
 * version is deleted or has been used least recently among more than the configured maximum.
 * Keyed by the ONNX digest too, so a version number reused after a delete never serves old bytes.
 */
@ApplicationScoped
public class LoadedModels {
    private static final Logger LOG = Logger.getLogger(LoadedModels.class);

    private final ModelStore store;
    private final OrtSessionFactory factory;
    private final int capacity;
    private final Map<String, OnnxModelSession> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public LoadedModels(ModelStore store, OrtSessionFactory factory, ServerConfig config) {
        this.store = store;
        this.factory = factory;
        this.capacity = config.serving().maxLoadedModels();
    }

    public synchronized OnnxModelSession session(ModelRecord record) {
        String key = key(record.name(), record.version()) + "@" + record.onnxSha256();
        OnnxModelSession session = sessions.get(key);
        if (session == null) {
            try {
                session = factory.open(store.readOnnx(record));
            } catch (OrtException e) {
                throw new HplException(ErrorKind.INTERNAL, "model '" + record.name() + "' version " + record.version()
                        + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
            }
            sessions.put(key, session);
            LOG.infof("loaded model %s version %d", record.name(), record.version());
            evictBeyondCapacity();
        }
        return session;
    }

    /** Closes the sessions of a deleted model: one version, or all when {@code version} is 0. */
    public synchronized void evict(String name, int version) {
        String prefix = version == 0 ? name + "/" : key(name, version) + "@";
        sessions.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix)) {
                close(e.getValue());
                return true;
            }
            return false;
        });
    }

    public synchronized int loaded() {
        return sessions.size();
    }

    private void evictBeyondCapacity() {
        var it = sessions.entrySet().iterator();
        while (sessions.size() > capacity && it.hasNext()) {
            close(it.next().getValue());
            it.remove();
        }
    }

    private static String key(String name, int version) {
        return name + "/" + version;
    }

    private static void close(OnnxModelSession session) {
        try {
            session.close(); // waits for predictions in flight
        } catch (OrtException e) {
            LOG.warn("closing an ONNX Runtime session failed", e);
        }
    }

    @PreDestroy
    synchronized void closeAll() {
        sessions.values().forEach(LoadedModels::close);
        sessions.clear();
    }
}
