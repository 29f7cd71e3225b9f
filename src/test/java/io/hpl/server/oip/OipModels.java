package io.hpl.server.oip;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The tiny models the OIP tests call, trained once per test JVM on GeneratedCsv's table (numeric a, b;
 * categorical c in red/green/blue; target y; id ignored): a SUPERVISED MLP and a GBDT.
 */
final class OipModels {
    static final String MLP = "oip-mlp";
    static final String GBDT = "oip-gbdt";
    private static boolean trained;

    private OipModels() {
    }

    static synchronized void ensureTrained(RegressionService client, Engines engines) throws InterruptedException {
        if (trained) {
            return;
        }
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        DatasetInfo dataset = upload(client, "y", GeneratedCsv.make(80, 0, 5), "id");
        train(client, dataset, Method.SUPERVISED, MLP, Map.of("iterations", "30", "hidden_layers", "8"));
        train(client, dataset, Method.GBDT, GBDT, Map.of("trees", "20"));
        trained = true;
    }

    private static ModelInfo train(RegressionService client, DatasetInfo dataset, Method method, String name,
                                   Map<String, String> hyperparameters) {
        List<TrainEvent> events = client.train(TrainRequest.newBuilder().setDatasetId(dataset.getId()).setMethod(method)
                .setModelName(name).setSeed(1).putAllHyperparameters(hyperparameters).build())
                .collect().asList().await().atMost(TIMEOUT);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        return last.getFinished().getModel();
    }
}
