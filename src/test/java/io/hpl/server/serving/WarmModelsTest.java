package io.hpl.server.serving;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.ApiTestSupport;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What may be scored on the gRPC thread: only a table model whose session is already loaded. */
@QuarkusTest
class WarmModelsTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Inject
    PredictionService predictions;

    @Inject
    LoadedModels loaded;

    @Test
    void aTableModelIsWarmOnceItsSessionIsLoadedAndNotAfterItIsDeleted() throws InterruptedException {
        String name = "warm-" + UUID.randomUUID().toString().substring(0, 8);
        assertFalse(predictions.warmTableModel(name, 0, "").isPresent(), "no such model");
        assertFalse(predictions.warmTableModel("n".repeat(1000), 0, "").isPresent(), "an invalid name: the worker path says why");
        ApiTestSupport.trainSmallTabularModel(client, engines, name);
        loaded.evict(name, 0); // whatever training or a warm-up left open
        assertFalse(predictions.warmTableModel(name, 0, "").isPresent(), "trained, not loaded: the first Predict loads it on a worker");

        PredictRequest one = PredictRequest.newBuilder().setModelName(name).addRows(row(Map.of("a", 1, "b", 100, "c", "red"))).build();
        assertEquals(1, client.predict(one).await().atMost(TIMEOUT).getPredictionsCount());
        assertTrue(predictions.warmTableModel(name, 0, "").isPresent());
        assertEquals(1, client.predict(one).await().atMost(TIMEOUT).getPredictionsCount(), "served on the gRPC thread");

        client.deleteModel(DeleteModelRequest.newBuilder().setName(name).build()).await().atMost(TIMEOUT);
        assertFalse(predictions.warmTableModel(name, 0, "").isPresent());
    }
}
