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
import io.hpl.server.store.ModelStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Times every hpl.v1 RPC per method, model and status code, and records Predict batch sizes.
 * Quarkus' own grpc_server_* metrics have no model tag; the model is read from the request's
 * {@code model_name} field, so no service method needs timing code of its own. When DeleteModel
 * removes a model's last version, the series tagged with that model go too: a deleted model does
 * not keep exporting stale series (or grow the scrape) for the life of the process.
 */
@ApplicationScoped
@GlobalInterceptor
public class RequestMetricsInterceptor implements ServerInterceptor {
    static final String SERVICE = "hpl.v1.RegressionService";
    static final String RPC_DURATION = "hpl.rpc.duration";
    static final String PREDICT_BATCH = "hpl.predict.batch";
    /**
     * Explicit latency buckets, for SLOs such as "99% of Predicts under 25 ms": 16 a series instead of
     * the 69 of Micrometer's percentile histogram, from a cached one-row Predict (~1 ms) to a long
     * upload or a whole Train call (the last bucket; training has its own histogram, to hours).
     */
    static final Duration[] LATENCY_BUCKETS = java.util.stream.Stream.of(
                    "PT0.001S", "PT0.0025S", "PT0.005S", "PT0.01S", "PT0.025S", "PT0.05S", "PT0.1S", "PT0.25S",
                    "PT0.5S", "PT1S", "PT2.5S", "PT5S", "PT10S", "PT30S", "PT60S", "PT300S")
            .map(Duration::parse).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final ModelStore models;
    /**
     * The meters already registered, by their tags: registering through the builders on every call
     * (an id built, its tags sorted, the registry's map searched) cost about 20 µs of a one-row
     * Predict on the 2-core server, measured; a lookup here costs one hash of a small record.
     */
    private final Map<DurationKey, Timer> durations = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batches = new ConcurrentHashMap<>();

    private record DurationKey(String rpc, String model, Status.Code code) {
    }

    public RequestMetricsInterceptor(MeterRegistry registry, ModelStore models) {
        this.registry = registry;
        this.models = models;
    }

    /** What one call has told us so far; messages and the close may arrive on different threads. */
    private static final class CallFacts {
        final String rpc;
        final long start = System.nanoTime();
        volatile String model = "";
        volatile String deletedModel = "";
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
        if ("Predict".equals(facts.rpc) && request instanceof io.hpl.server.api.v1.PredictRequest predict) {
            // rows, images, columns or x (one form per request): its row count is the batch
            facts.rows = Math.max(0, io.hpl.server.api.PredictCalls.batchRows(predict));
        }
        if ("DeleteModel".equals(facts.rpc)) {
            facts.deletedModel = stringField(request, "name");
        }
    }

    /** The rpc tag of one request of a PredictStream (the stream itself is timed as "PredictStream"). */
    static final String STREAMED_PREDICT = "PredictStream.request";

    /**
     * Records one request of a PredictStream as a Predict call is recorded: its latency by model and
     * code, and its rows when it succeeded ({@code rows} ≥ 0).
     */
    public void recordStreamed(String model, Status.Code code, long nanos, int rows) {
        CallFacts facts = new CallFacts(STREAMED_PREDICT);
        facts.model = model;
        facts.rows = rows;
        record(facts, code, nanos);
    }

    private void record(CallFacts facts, Status status) {
        record(facts, status.getCode(), System.nanoTime() - facts.start);
    }

    private void record(CallFacts facts, Status.Code code, long nanos) {
        boolean ok = code == Status.Code.OK;
        // Only a successful call proves the model exists: tagging failed calls with any name a client
        // sends would let clients create time series at will.
        String model = ok ? facts.model : "";
        durations.computeIfAbsent(new DurationKey(facts.rpc, model, code), k -> Timer.builder(RPC_DURATION)
                        .description("hpl.v1 RPC latency from the call's start to its status (Train: the whole job)")
                        .tag("rpc", k.rpc()).tag("model", k.model()).tag("code", k.code().name())
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (ok && facts.rows >= 0) {
            batches.computeIfAbsent(model, m -> DistributionSummary.builder(PREDICT_BATCH)
                            .description("Rows per successful Predict request (and per successful request of a PredictStream)")
                            .baseUnit("rows")
                            .tag("model", m)
                            .serviceLevelObjectives(1, 10, 100, 1_000, 10_000) // buckets up to the largest allowed batch
                            .register(registry))
                    .record(facts.rows);
        }
        if (ok && !facts.deletedModel.isEmpty() && models.list(facts.deletedModel).isEmpty()) {
            forget(facts.deletedModel);
        }
    }

    /** Removes every series of a model that has no version left. */
    void forget(String model) {
        for (String meter : new String[] {RPC_DURATION, PREDICT_BATCH}) {
            registry.find(meter).tag("model", model).meters().forEach(registry::remove);
        }
        // After the registry: a call recording meanwhile registers afresh rather than keep a removed meter cached.
        durations.keySet().removeIf(k -> k.model().equals(model));
        batches.remove(model);
    }

    private static String stringField(Message request, String name) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName(name);
        return field != null && field.getType() == FieldDescriptor.Type.STRING ? (String) request.getField(field) : "";
    }
}
