package io.hpl.server.errors;

import io.grpc.Context;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Where long work for one call (encoding or scoring rows, parsing an upload) looks whether its
 * caller is still there. A call's gRPC {@link Context} is cancelled when the client cancels or its
 * deadline passes; work that ignores it goes on burning CPU for nobody (the issue measured requests
 * that kept both cores busy long after their deadline). The service runs blocking work with the
 * call's context attached, so {@code Context.current()} here is that call's.
 */
public final class Cancellation {
    private static final Logger LOG = Logger.getLogger(Cancellation.class);
    private static final AtomicLong STOPPED = new AtomicLong();

    private Cancellation() {
    }

    /** Throws CANCELLED when this thread's call was cancelled or passed its deadline. */
    public static void checkpoint(String work) {
        Context context = Context.current();
        if (context.isCancelled()) {
            long stopped = STOPPED.incrementAndGet();
            LOG.infof("stopped %s: the client cancelled or its deadline passed (%d such stops since start)", work, stopped);
            throw HplException.cancelled(work + " stopped: the client cancelled or its deadline passed");
        }
    }

    /** Calls whose work stopped at a checkpoint since the server started (for tests and operators' logs). */
    public static long stoppedCount() {
        return STOPPED.get();
    }
}
