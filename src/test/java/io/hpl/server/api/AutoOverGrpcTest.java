package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.Metrics;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.SelectionCandidate;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A table trained with no method named gets AUTO, which records what it tried in ModelInfo and
 * serves a model that scores no worse on held-out rows than the GBDT it started from (house_lucas,
 * γ = 10%, the reference's seed-0 split).
 */
@QuarkusTest
class AutoOverGrpcTest {
    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    private ModelInfo train(String datasetId, Method method, String name) {
        List<TrainEvent> events = client.train(TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(method)
                .setModelName(name).setSeed(0).build()).collect().asList().await().atMost(Duration.ofMinutes(5));
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        assertEquals(method == Method.METHOD_UNSPECIFIED ? Method.AUTO : method, events.get(0).getAccepted().getMethod());
        return last.getFinished().getModel();
    }

    private Metrics evaluate(ModelInfo model, String datasetId) {
        return client.evaluate(EvaluateRequest.newBuilder().setModelName(model.getName()).setVersion(model.getVersion())
                .setDatasetId(datasetId).build()).await().atMost(TIMEOUT).getMetrics();
    }

    @Test
    void autoIsTheTabularDefaultRecordsItsChoiceAndBeatsItsGbdt() throws Exception {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        String[] csv = HplOverGrpcTest.houseLucasSplit();
        DatasetInfo train = upload(client, "log_price", csv[0]);
        DatasetInfo test = upload(client, "log_price", csv[1]);

        ModelInfo auto = train(train.getId(), Method.METHOD_UNSPECIFIED, "auto-house");
        assertEquals(Method.AUTO, auto.getMethod());
        List<String> names = auto.getSelection().getCandidatesList().stream().map(SelectionCandidate::getName).toList();
        assertEquals(List.of("GBDT", "GBDT_LONG", "HPL_GBDT", "MLP", "HPL_MLP"), names);
        assertTrue(auto.getSelection().getReason().contains("cross-fitted"), auto.getSelection().getReason());
        ModelInfo stored = client.getModel(GetModelRequest.newBuilder().setName("auto-house").build()).await()
                .atMost(TIMEOUT);
        assertEquals(auto.getSelection(), stored.getSelection(), "the choice is stored with the model");

        ModelInfo gbdt = train(train.getId(), Method.GBDT, "gbdt-house");
        assertTrue(!gbdt.hasSelection(), "only AUTO selects");
        Metrics autoMetrics = evaluate(auto, test.getId());
        Metrics gbdtMetrics = evaluate(gbdt, test.getId());
        System.out.printf(Locale.ROOT, "house_lucas 10%% test MAE: AUTO %.4f (%s), GBDT %.4f%n", autoMetrics.getMae(),
                auto.getSelection().getServed(), gbdtMetrics.getMae());
        assertTrue(autoMetrics.getMae() <= gbdtMetrics.getMae(), autoMetrics.getMae() + " vs " + gbdtMetrics.getMae());
        assertTrue(autoMetrics.getSpearmanVarianceAbsError() > 0.25, "per-row σ² ranks errors: " + autoMetrics);
    }
}
