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
import java.util.function.BooleanSupplier;

/**
 * gRPC flow control for server streams that produce on demand (PredictDataset). Quarkus subscribes to
 * a service's {@code Multi} asking for every item at once and queues whatever it is given, so a
 * stream that produced as fast as it could would pile a whole dataset's predictions in memory
 * behind a slow client. This interceptor puts each call's {@link Gate} in its context: the producer
 * waits at the gate until the transport takes more ({@link ServerCall#isReady()}, woken by
 * {@code onReady}), which is how the client's reading speed reaches the producer.
 */
@ApplicationScoped
@GlobalInterceptor
public class CallReadiness implements ServerInterceptor {
    private static final Context.Key<Gate> KEY = Context.key("hpl-call-readiness");
    /** How often a waiting producer looks again on its own, should a wake-up be missed: a bound, not the mechanism. */
    private static final long RECHECK_MILLIS = 200;

    /** One call's readiness, waited on by its producer thread. */
    public static final class Gate {
        private final ServerCall<?, ?> call;

        private Gate(ServerCall<?, ?> call) {
            this.call = call;
        }

        /** Blocks until the call's transport takes another message or {@code stop} is true. */
        public void awaitReady(BooleanSupplier stop) throws InterruptedException {
            synchronized (this) {
                while (!call.isReady() && !stop.getAsBoolean()) {
                    wait(RECHECK_MILLIS);
                }
            }
        }

        private synchronized void wake() {
            notifyAll();
        }
    }

    /** This call's gate; null outside a call through this interceptor (then a producer does not wait). */
    public static Gate current() {
        return KEY.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Gate gate = new Gate(call);
        ServerCall.Listener<Q> inContext = Contexts.interceptCall(Context.current().withValue(KEY, gate), call, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(inContext) {
            @Override
            public void onReady() {
                gate.wake();
                super.onReady();
            }

            @Override
            public void onCancel() {
                gate.wake();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                gate.wake();
                super.onComplete();
            }
        };
    }
}
