package io.hpl.server.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Gives every call an {@link io.grpc.Context} that is cancelled when the call is: the client
 * cancels, its deadline passes (the client resets the stream) or the connection drops. Quarkus'
 * gRPC server on Vert.x tells the listener ({@code onCancel}) but cancels no context, so without
 * this the work's {@link io.hpl.server.errors.Cancellation} checkpoints never saw a cancel
 * (CancelledWorkTest). The service hands the context on to its worker threads.
 */
@ApplicationScoped
@GlobalInterceptor
public class CallCancellationInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        Context.CancellableContext context = Context.current().withCancellation();
        ServerCall.Listener<Q> inContext = Contexts.interceptCall(context, call, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(inContext) {
            @Override
            public void onCancel() {
                context.cancel(null);
                super.onCancel();
            }

            @Override
            public void onComplete() {
                super.onComplete();
                context.cancel(null); // releases the context's listeners; the work is done
            }
        };
    }
}
