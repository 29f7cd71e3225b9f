package io.hpl.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.hpl.server.audit.AuditLog;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

/**
 * The one place calls are authenticated and authorised, for every service the server registers
 * (global): {@link Authenticator} decides, a refused call is closed with its status before any
 * service code runs, and every call to an admin method, refused or not, gets an audit line
 * ({@link AuditLog}). The caller is in the call's context ({@link Caller#CONTEXT_KEY}).
 *
 * <p>An interceptor rather than Quarkus Security's gRPC integration ({@code quarkus-security},
 * {@code GrpcSecurityMechanism}, {@code @RolesAllowed} on service methods): roles would be
 * annotations spread over service classes and would not cover Quarkus' own health and reflection
 * services or services merged later, where here one table ({@link MethodRoles}) covers every method
 * and a method not in it needs admin; and it works the same on the Vert.x and the separate
 * grpc-java server. It runs before the other interceptors, so a refused call costs nothing else:
 * Quarkus orders global interceptors by {@link Prioritized#getPriority()}, highest first (it
 * does not read {@code @Priority} on them); AuthMatrixTest checks the metrics interceptor never
 * sees a refused call.
 */
@ApplicationScoped
@GlobalInterceptor
public class AuthInterceptor implements ServerInterceptor, Prioritized {
    static final int PRIORITY = 1_000_000;

    private final Authenticator authenticator;

    public AuthInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Authenticator.Decision decision = authenticator.decide(method, headers);
        boolean audited = MethodRoles.of(method) == MethodRoles.Access.ADMIN;
        if (!decision.allowed()) {
            if (audited) {
                AuditLog.refused(decision.caller() == null ? "unauthenticated" : decision.caller().name(),
                        method, decision.refusal());
            }
            call.close(decision.refusal(), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context context = Context.current().withValue(Caller.CONTEXT_KEY, decision.caller());
        if (!audited) {
            return Contexts.interceptCall(context, call, headers, next);
        }
        return AuditLog.audited(decision.caller().name(), call,
                watched -> Contexts.interceptCall(context, watched, headers, next));
    }
}
