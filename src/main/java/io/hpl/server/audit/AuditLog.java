package io.hpl.server.audit;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One line per mutating call (every method that needs the admin role, refused ones included) on the
 * logger category {@code io.hpl.server.audit}, so operators can route or keep it apart. The fields
 * go into the message and into the MDC ({@code audit.principal}, {@code audit.method},
 * {@code audit.outcome}, {@code audit.<target>}), which JSON logs carry as fields.
 */
public final class AuditLog {
    public static final String CATEGORY = "io.hpl.server.audit";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private AuditLog() {
    }

    public static void write(AuditRecord record) {
        Map<String, String> mdc = new TreeMap<>();
        mdc.put("audit.principal", record.principal());
        mdc.put("audit.method", record.method());
        mdc.put("audit.outcome", record.outcome());
        record.targets().forEach((k, v) -> mdc.put("audit." + k, v));
        mdc.forEach(MDC::put);
        try {
            String targets = new TreeMap<>(record.targets()).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
            LOG.infof("principal=%s method=%s%s outcome=%s", record.principal(), record.method(),
                    targets.isEmpty() ? "" : " " + targets, record.outcome());
        } finally {
            mdc.keySet().forEach(MDC::remove);
        }
    }

    /** A call refused before it ran (no token, unknown token, a role too low). */
    public static void refused(String principal, String method, Status status) {
        write(new AuditRecord(principal, method, Map.of(), status.getCode().name()));
    }

    /**
     * Runs a call so that its audit line is written when it ends: its status at close, or CANCELLED
     * when the client goes first. Targets come from the request messages and the first reply.
     */
    public static <Q, R> ServerCall.Listener<Q> audited(String principal, ServerCall<Q, R> call,
                                                        Function<ServerCall<Q, R>, ServerCall.Listener<Q>> start) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Map<String, String> targets = new ConcurrentHashMap<>();
        AtomicBoolean written = new AtomicBoolean();
        ServerCall<Q, R> watched = new SimpleForwardingServerCall<>(call) {
            private volatile boolean replied;

            @Override
            public void sendMessage(R message) {
                if (!replied) {
                    replied = true;
                    AuditTargets.fromReply(message, targets);
                }
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (written.compareAndSet(false, true)) {
                    write(new AuditRecord(principal, method, targets, status.getCode().name()));
                }
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(start.apply(watched)) {
            @Override
            public void onMessage(Q message) {
                AuditTargets.fromRequest(message, targets);
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                if (written.compareAndSet(false, true)) {
                    write(new AuditRecord(principal, method, targets, Status.Code.CANCELLED.name()));
                }
                super.onCancel();
            }
        };
    }
}
