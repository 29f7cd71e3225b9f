package io.hpl.server.api;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * gRPC flow control for PredictStream's requests. Quarkus feeds a bidirectional stream's requests into
 * an unbounded queue, asking the transport for the next one as soon as one arrives, so a client that
 * sends faster than the server scores would pile its requests up in the server's memory. Here the
 * transport is asked for {@link #WINDOW} requests at the start and for one more per answer sent, and
 * only while the transport takes answers ({@link ServerCall#isReady()}): at most WINDOW requests wait
 * unanswered, and a client that does not read its answers stops the reading of its requests. The
 * handler's own requests for more are dropped.
 */
@ApplicationScoped
@GlobalInterceptor
public class StreamCredits implements ServerInterceptor {
    static final String METHOD = "hpl.v1.RegressionService/PredictStream";
    /** Requests read ahead of their answers: enough to keep a worker busy between a client's messages. */
    static final int WINDOW = 4;

    private final java.util.concurrent.atomic.AtomicLong maxAhead = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The most requests one PredictStream has had read but not yet answered, over every stream since the
     * server started: a test reads it to see that requests are read only as answers go out.
     */
    public long maxReadAhead() {
        return maxAhead.get();
    }

    /** One call's credits: answers sent whose request for a successor waits for the transport to be ready. */
    private static final class Credits {
        private final ServerCall<?, ?> call;
        private int owed;
        /** Requests read and answers sent on this call, for {@link #maxReadAhead}. */
        final java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

        Credits(ServerCall<?, ?> call) {
            this.call = call;
        }

        synchronized void answered() {
            owed++;
            grant();
        }

        synchronized void grant() {
            if (owed > 0 && call.isReady()) {
                int n = owed;
                owed = 0;
                call.request(n);
            }
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!METHOD.equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        Credits credits = new Credits(call);
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void request(int numMessages) {
                // the handler asks for the next request after each one: the credits decide instead
            }

            @Override
            public void sendMessage(R message) {
                credits.sent.incrementAndGet();
                super.sendMessage(message);
                credits.answered();
            }
        };
        ServerCall.Listener<Q> listener = next.startCall(counted, headers);
        call.request(WINDOW);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                long ahead = credits.read.incrementAndGet() - credits.sent.get();
                maxAhead.accumulateAndGet(ahead, Math::max);
                super.onMessage(message);
            }

            @Override
            public void onReady() {
                credits.grant();
                super.onReady();
            }
        };
    }
}
