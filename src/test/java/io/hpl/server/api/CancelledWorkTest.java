package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.errors.Cancellation;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A large Evaluate whose client deadline passes stops on the server: the work's checkpoints see the
 * call's cancelled context ({@link Cancellation#stoppedCount()} goes up), instead of scoring every
 * row for nobody. No timing is asserted: the deadline is only short enough that the work cannot
 * finish in it, and the counter is awaited with a bounded poll. Before CallCancellationInterceptor the
 * counter never moved: Quarkus' gRPC server cancels no io.grpc.Context of its own.
 */
@QuarkusTest
class CancelledWorkTest {
    private static final int ROWS = 200_000;

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Test
    void aLargeEvaluatePastItsDeadlineStopsOnTheServer() throws InterruptedException {
        ApiTestSupport.trainSmallTabularModel(client, engines, "cancel-eval");
        DatasetHeader header = DatasetHeader.newBuilder().setName("large").setTargetColumn("y").addIgnoreColumns("id").build();
        DatasetInfo large = upload(client, header, GeneratedCsv.make(ROWS, 0, 7).getBytes(StandardCharsets.UTF_8), 1 << 20);
        assertEquals(ROWS, large.getLabelledRows());

        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
                ConfigProvider.getConfig().getValue("quarkus.grpc.clients.regression.port", Integer.class)).usePlaintext().build();
        try {
            long before = Cancellation.stoppedCount();
            // A deadline can pass before the call's work starts (then there is nothing to stop), so
            // deadlines double until one lands while the 200,000 rows are read or scored.
            for (int deadlineMs = 30; deadlineMs <= 960 && Cancellation.stoppedCount() == before; deadlineMs *= 2) {
                int ms = deadlineMs;
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> RegressionServiceGrpc
                        .newBlockingStub(channel).withDeadlineAfter(ms, TimeUnit.MILLISECONDS)
                        .evaluate(EvaluateRequest.newBuilder().setModelName("cancel-eval").setDatasetId(large.getId()).build()));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Cancellation.stoppedCount() == before && System.nanoTime() < until) {
                    Thread.sleep(20); // a bounded poll of the counter, not synchronisation by sleeping
                }
            }
            assertTrue(Cancellation.stoppedCount() > before, "the server scored every row after the deadline had passed");
        } finally {
            channel.shutdownNow();
        }
        // the server still answers, and the same Evaluate without a deadline succeeds
        assertEquals(ROWS, client.evaluate(EvaluateRequest.newBuilder().setModelName("cancel-eval")
                .setDatasetId(large.getId()).build()).await().atMost(ApiTestSupport.TIMEOUT).getMetrics().getRows());
    }
}
