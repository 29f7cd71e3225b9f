package io.hpl.server.serving;

import io.hpl.server.config.ServerConfig;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Hot reload for replicas sharing a store: every {@code hpl.store.refresh-interval} the model store
 * re-reads the aliases other processes moved and warm-loads their new targets ({@link ModelStore#refresh()}),
 * so a version promoted elsewhere serves here without a restart and without a cold first Predict.
 * (Versions and aliases themselves are re-read by the store's caches on the same interval.)
 */
@ApplicationScoped
public class StoreRefresh {
    private static final Logger LOG = Logger.getLogger(StoreRefresh.class);

    private ScheduledExecutorService timer;

    void onStart(@Observes StartupEvent started, ModelStore store, ServerConfig config) {
        Duration every = config.store().refreshInterval();
        if (every.isZero() || every.isNegative()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hpl-store-refresh");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> refresh(store), 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void refresh(ModelStore store) {
        try {
            for (ModelRecord r : store.refresh()) {
                LOG.infof("model %s version %d: an alias moved to it in another process; loaded", r.name(), r.version());
            }
        } catch (RuntimeException e) {
            // an unreachable bucket must not end the schedule: the next round tries again
            LOG.warnf("re-reading the store's aliases failed: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
