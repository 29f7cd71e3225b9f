package io.hpl.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.Image;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.store.ModelStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interceptor on its own: one request message, then the call's status, as gRPC delivers them. */
class RequestMetricsInterceptorTest {
    @TempDir
    Path store;

    private SimpleMeterRegistry registry;
    private RequestMetricsInterceptor interceptor;

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        interceptor = new RequestMetricsInterceptor(registry, new ModelStore(store)); // an empty store: no model has a version
    }

    @Test
    void imagePredictRecordsItsImagesAsRows() {
        Image png = Image.newBuilder().setEncoded(ByteString.copyFromUtf8("not decoded here")).build();
        call(RegressionServiceGrpc.getPredictMethod(), PredictRequest.newBuilder().setModelName("digits")
                .addImages(png).addImages(png).build(), Status.OK);

        DistributionSummary batch = batch("digits");
        assertNotNull(batch, "an image Predict records its batch");
        assertEquals(1, batch.count());
        assertEquals(2.0, batch.totalAmount());
    }

    @Test
    void tablePredictRecordsItsRows() {
        Struct row = Struct.newBuilder().putFields("a", Value.newBuilder().setNumberValue(1).build()).build();
        call(RegressionServiceGrpc.getPredictMethod(), PredictRequest.newBuilder().setModelName("house")
                .addRows(row).addRows(row).addRows(row).build(), Status.OK);

        assertEquals(3.0, batch("house").totalAmount());
    }

    @Test
    void latencyHasTheExplicitSloBucketsOnly() {
        Struct row = Struct.newBuilder().putFields("a", Value.newBuilder().setNumberValue(1).build()).build();
        call(RegressionServiceGrpc.getPredictMethod(), PredictRequest.newBuilder().setModelName("slo").addRows(row).build(),
                Status.OK);

        double[] bounds = Arrays.stream(registry.find(RequestMetricsInterceptor.RPC_DURATION).tag("model", "slo").timer()
                .takeSnapshot().histogramCounts()).mapToDouble(b -> b.bucket(TimeUnit.MILLISECONDS)).toArray();
        assertArrayEquals(new double[] {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
                300_000}, bounds, 1e-9, "16 buckets a series, 25 ms and 100 ms among them for Predict SLOs");
    }

    @Test
    void failedPredictRecordsNoBatch() {
        call(RegressionServiceGrpc.getPredictMethod(), PredictRequest.newBuilder().setModelName("made-up")
                .addImages(Image.getDefaultInstance()).build(), Status.NOT_FOUND);

        assertNull(batch("made-up"));
        assertNull(batch(""));
    }

    @Test
    void deletingAModelsLastVersionRemovesItsSeries() {
        Struct row = Struct.newBuilder().putFields("a", Value.newBuilder().setNumberValue(1).build()).build();
        for (String model : new String[] {"gone", "kept"}) {
            call(RegressionServiceGrpc.getPredictMethod(), PredictRequest.newBuilder().setModelName(model)
                    .addRows(row).build(), Status.OK);
        }
        assertNotNull(registry.find(RequestMetricsInterceptor.RPC_DURATION).tag("model", "gone").timer());

        call(RegressionServiceGrpc.getDeleteModelMethod(), DeleteModelRequest.newBuilder().setName("gone").build(), Status.OK);

        assertNull(registry.find(RequestMetricsInterceptor.RPC_DURATION).tag("model", "gone").timer());
        assertNull(batch("gone"));
        assertNotNull(registry.find(RequestMetricsInterceptor.RPC_DURATION).tag("model", "kept").timer());
        assertNotNull(batch("kept"));
        // The DeleteModel call itself is timed without a model tag, so it re-creates nothing.
        assertEquals(1, registry.find(RequestMetricsInterceptor.RPC_DURATION).tag("rpc", "DeleteModel").tag("model", "")
                .timer().count());
    }

    @Test
    void aFailedDeleteKeepsTheSeries() {
        Struct row = Struct.newBuilder().putFields("a", Value.newBuilder().setNumberValue(1).build()).build();
        call(RegressionServiceGrpc.getPredictMethod(), PredictRequest.newBuilder().setModelName("m").addRows(row).build(),
                Status.OK);

        call(RegressionServiceGrpc.getDeleteModelMethod(), DeleteModelRequest.newBuilder().setName("m").build(),
                Status.NOT_FOUND);

        assertNotNull(batch("m"));
    }

    private DistributionSummary batch(String model) {
        return registry.find(RequestMetricsInterceptor.PREDICT_BATCH).tag("model", model).summary();
    }

    /** One unary call through the interceptor: the request, then the status the service closed it with. */
    private <Q extends Message, R> void call(MethodDescriptor<Q, R> method, Q request, Status status) {
        @SuppressWarnings("unchecked")
        ServerCall<Q, R>[] seen = new ServerCall[1];
        ServerCall.Listener<Q> listener = interceptor.interceptCall(new FakeCall<>(method), new Metadata(),
                (call, headers) -> {
                    seen[0] = call;
                    return new ServerCall.Listener<>() { };
                });
        listener.onMessage(request);
        listener.onHalfClose();
        seen[0].close(status, new Metadata());
    }

    private static final class FakeCall<Q, R> extends ServerCall<Q, R> {
        private final MethodDescriptor<Q, R> method;

        FakeCall(MethodDescriptor<Q, R> method) {
            this.method = method;
        }

        @Override public void request(int numMessages) { }
        @Override public void sendHeaders(Metadata headers) { }
        @Override public void sendMessage(R message) { }
        @Override public void close(Status status, Metadata trailers) { }
        @Override public boolean isCancelled() { return false; }
        @Override public MethodDescriptor<Q, R> getMethodDescriptor() { return method; }
    }
}
