package io.hpl.server.metrics;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Times every hpl.v1 RPC per method, model and status code, and records Predict batch sizes.
 * Quarkus' own grpc_server_* metrics have no model tag; the model is read from the request's
 * {@code model_name} field, so no service method needs timing code of its own.
 */
@ApplicationScoped
@GlobalInterceptor
public class RequestMetricsInterceptor implements ServerInterceptor {
    static final String SERVICE = "hpl.v1.RegressionService";

    private final MeterRegistry registry;

    public RequestMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    /** What one call has told us so far; messages and the close may arrive on different threads. */
    private static final class CallFacts {
        final String rpc;
        final long start = System.nanoTime();
        volatile String model = "";
        volatile int rows = -1;

        CallFacts(String rpc) {
            this.rpc = rpc;
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (!SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers); // health and reflection: Quarkus' grpc_server_* cover them
        }
        CallFacts facts = new CallFacts(call.getMethodDescriptor().getBareMethodName());
        ServerCall<Q, R> timed = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(facts, status);
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(timed, headers)) {
            @Override
            public void onMessage(Q message) {
                if (message instanceof Message m) {
                    observe(facts, m);
                }
                super.onMessage(message);
            }
        };
    }

    private static void observe(CallFacts facts, Message request) {
        String name = stringField(request, "model_name");
        if (!name.isEmpty()) {
            facts.model = name;
        }
        FieldDescriptor rows = request.getDescriptorForType().findFieldByName("rows");
        if ("Predict".equals(facts.rpc) && rows != null && rows.isRepeated()) {
            facts.rows = request.getRepeatedFieldCount(rows);
        }
    }

    private void record(CallFacts facts, Status status) {
        // Only a successful call proves the model exists: tagging failed calls with any name a client
        // sends would let clients create time series at will.
        String model = status.isOk() ? facts.model : "";
        Timer.builder("hpl.rpc.duration")
                .description("hpl.v1 RPC latency from the call's start to its status (Train: the whole job)")
                .tag("rpc", facts.rpc).tag("model", model).tag("code", status.getCode().name())
                .publishPercentileHistogram()
                .register(registry)
                .record(System.nanoTime() - facts.start, TimeUnit.NANOSECONDS);
        if (status.isOk() && facts.rows >= 0) {
            DistributionSummary.builder("hpl.predict.batch")
                    .description("Rows per successful Predict request")
                    .baseUnit("rows")
                    .tag("model", model)
                    .serviceLevelObjectives(1, 10, 100, 1_000, 10_000) // buckets up to the largest allowed batch
                    .register(registry)
                    .record(facts.rows);
        }
    }

    private static String stringField(Message request, String name) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName(name);
        return field != null && field.getType() == FieldDescriptor.Type.STRING ? (String) request.getField(field) : "";
    }
}
