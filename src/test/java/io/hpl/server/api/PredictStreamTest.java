package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.hpl.server.api.v1.ColumnValues;
import io.hpl.server.api.v1.EncodedMatrix;
import io.hpl.server.api.v1.FeatureColumns;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictStreamRequest;
import io.hpl.server.api.v1.PredictStreamResponse;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.health.Engines;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The columns and x forms' errors, and PredictStream: answers in order with their request ids, a bad
 * request answered by an error while the stream goes on, requests read only as answers go out (flow
 * control), and each streamed request recorded in the metrics as a Predict is.
 */
@QuarkusTest
class PredictStreamTest {
    private static final String MODEL = "stream-mlp";
    private static boolean trained;

    @GrpcClient("regression")
    RegressionService client;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.grpc.server.test-port")
    int grpcPort;

    @Inject
    Engines engines;

    @Inject
    MeterRegistry registry;

    @Inject
    StreamCredits credits;

    @BeforeEach
    void model() throws InterruptedException {
        if (!trained) {
            ApiTestSupport.trainSmallTabularModel(client, engines, MODEL);
            trained = true;
        }
    }

    private static ColumnValues doubles(String name, double... values) {
        ColumnValues.Builder b = ColumnValues.newBuilder().setName(name);
        for (double v : values) {
            b.addDoubles(v);
        }
        return b.build();
    }

    private static ColumnValues texts(String name, String... values) {
        return ColumnValues.newBuilder().setName(name).addAllTexts(List.of(values)).build();
    }

    private static PredictRequest columns(ColumnValues... columns) {
        return PredictRequest.newBuilder().setModelName(MODEL).setColumns(FeatureColumns.newBuilder()
                .addAllColumns(List.of(columns))).build();
    }

    private static PredictRequest good() {
        return columns(doubles("a", 0.5, -1), doubles("b", 100, 90), texts("c", "red", "blue"));
    }

    /** x of {@code rows} rows of width 5 (a, b, c=blue, c=green, c=red): the model's encoded width. */
    private static PredictRequest x(int rows, int width) {
        EncodedMatrix.Builder x = EncodedMatrix.newBuilder().setWidth(width);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                x.addValues(j == 1 ? 100 : j == 2 ? 1 : 0);
            }
        }
        return PredictRequest.newBuilder().setModelName(MODEL).setX(x).build();
    }

    @Test
    void badColumnsAndXAreRefusedWithWhatToFix() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(columns(doubles("a", 1), texts("c", "red")))
                .await().atMost(TIMEOUT), "no values for column 'b'", "one value per row");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(columns(doubles("a", 1), doubles("b", 1),
                texts("c", "red"), doubles("zz", 1))).await().atMost(TIMEOUT), "unknown column 'zz'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(columns(doubles("a", 1, 2), doubles("b", 1, 2),
                texts("c", "red", "mauve"))).await().atMost(TIMEOUT), "row 1, column 'c'", "unknown category 'mauve'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(columns(doubles("a", 1, Double.NaN),
                doubles("b", 1, 2), texts("c", "red", "red"))).await().atMost(TIMEOUT), "row 1, column 'a'", "missing value");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(columns(doubles("a", 1, 2), doubles("b", 1),
                texts("c", "red", "red"))).await().atMost(TIMEOUT), "column 'b' has 1 values, column 'a' has 2");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(x(2, 3)).await().atMost(TIMEOUT),
                "x has 3 values per row", "takes 5");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> client.predict(good().toBuilder().setX(x(1, 5).getX()).build())
                .await().atMost(TIMEOUT), "this request sets columns and x");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> client.predict(x(10_001, 5)).await().atMost(TIMEOUT),
                "hpl.predict.max-rows");
    }

    @Test
    void aBadRequestGetsAnErrorAnswerAndTheStreamGoesOn() {
        List<PredictStreamRequest> requests = List.of(
                PredictStreamRequest.newBuilder().setRequestId("1").setRequest(good()).build(),
                PredictStreamRequest.newBuilder().setRequestId("2").setRequest(good().toBuilder().setModelName("nope")).build(),
                PredictStreamRequest.newBuilder().setRequestId("3").setRequest(columns(doubles("a", 1), doubles("b", 1),
                        texts("c", "mauve"))).build(),
                PredictStreamRequest.newBuilder().setRequestId("4").setRequest(x(2, 3)).build(),
                PredictStreamRequest.newBuilder().setRequestId("5").setRequest(x(3, 5)).build());
        List<PredictStreamResponse> answers = client.predictStream(Multi.createFrom().iterable(requests))
                .collect().asList().await().atMost(TIMEOUT);
        assertEquals(List.of("1", "2", "3", "4", "5"), answers.stream().map(PredictStreamResponse::getRequestId).toList());
        assertEquals(2, answers.get(0).getResponse().getPacked().getMeanCount());
        assertEquals(Status.Code.NOT_FOUND.value(), answers.get(1).getError().getCode());
        assertEquals("NOT_FOUND", answers.get(1).getError().getCodeName());
        assertTrue(answers.get(1).getError().getMessage().contains("nope"), answers.get(1).getError().getMessage());
        assertEquals("INVALID_ARGUMENT", answers.get(2).getError().getCodeName());
        assertTrue(answers.get(2).getError().getMessage().contains("unknown category 'mauve'"));
        assertTrue(answers.get(3).getError().getMessage().contains("x has 3 values per row"));
        assertEquals(3, answers.get(4).getResponse().getPacked().getMeanCount());
        assertEquals(MODEL, answers.get(4).getResponse().getModelName());
    }

    /** Requests of PredictStream the server has answered since it started (its per-request metric). */
    private long answered() {
        return registry.find("hpl.rpc.duration").tag("rpc", "PredictStream.request").timers().stream()
                .mapToLong(Timer::count).sum();
    }

    /**
     * A client that sends 300 requests at once and reads no answer for a while: the server reads requests only
     * as it sends answers, never more than StreamCredits.WINDOW ahead (Quarkus alone would read all 300 at
     * once and queue them), and once the client reads, every answer arrives in order. (grpc-java's client
     * takes the answers off the connection even while its application does not read them, so here the
     * server's transport stays ready; with a client that leaves them on the connection, the server also
     * stops sending, and with it reading.)
     */
    @Test
    void requestsAreReadOnlyAsAnswersGoOut() throws Exception {
        int sent = 300;
        PredictRequest request = x(1_000, 5); // 20 kB in, 32 kB out (the test profile allows 1,000 rows)
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", grpcPort).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        try {
            List<PredictStreamResponse> received = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<ClientCallStreamObserver<PredictStreamRequest>> started = new CompletableFuture<>();
            RegressionServiceGrpc.newStub(channel).withDeadlineAfter(3, TimeUnit.MINUTES).predictStream(
                    new ClientResponseObserver<PredictStreamRequest, PredictStreamResponse>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<PredictStreamRequest> requests) {
                            requests.disableAutoRequestWithInitial(0); // reads nothing until asked below
                            started.complete(requests);
                        }

                        @Override
                        public void onNext(PredictStreamResponse value) {
                            synchronized (received) {
                                received.add(value);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            done.complete(null);
                        }
                    });
            ClientCallStreamObserver<PredictStreamRequest> requests = started.get(1, TimeUnit.MINUTES);
            long before = answered();
            for (int i = 0; i < sent; i++) {
                requests.onNext(PredictStreamRequest.newBuilder().setRequestId(Integer.toString(i)).setRequest(request).build());
            }
            requests.onCompleted();
            // A bounded poll on a condition, not a sleep to sync on: the server gets through what it is let read.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && answered() - before < sent) {
                Thread.onSpinWait();
            }
            assertTrue(credits.maxReadAhead() <= StreamCredits.WINDOW, "the server read " + credits.maxReadAhead()
                    + " requests ahead of its answers; the window is " + StreamCredits.WINDOW);
            requests.request(Integer.MAX_VALUE); // now read everything
            done.get(3, TimeUnit.MINUTES);
            assertEquals(IntStream.range(0, sent).mapToObj(Integer::toString).toList(),
                    received.stream().map(PredictStreamResponse::getRequestId).toList(), "every answer, in order");
            for (PredictStreamResponse r : received) {
                assertEquals(1_000, r.getResponse().getPacked().getMeanCount(), r.getRequestId() + ": " + r.getError());
            }
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aStreamedRequestIsRecordedAsPredictIs() {
        long before = answered();
        client.predictStream(Multi.createFrom().items(PredictStreamRequest.newBuilder().setRequest(good()).build()))
                .collect().asList().await().atMost(TIMEOUT);
        assertEquals(before + 1, answered());
        assertTrue(registry.find("hpl.predict.batch").tag("model", MODEL).summaries().stream()
                .anyMatch(s -> s.count() > 0), "rows per request recorded for the model");
    }
}
