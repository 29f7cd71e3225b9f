package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static io.hpl.server.api.ApiTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import io.grpc.Status;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.DeleteAliasRequest;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.EvaluateResponse;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.InlineRows;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.SetAliasRequest;
import io.hpl.server.api.v1.SetAliasResponse;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import io.hpl.server.oip.OipInference;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Aliases over gRPC: the promote / rollback sequence, readiness (warm-load on SetAlias), and
 * the Must show "alias promotion under load": threads Predict by alias while another thread moves it
 * between two versions; no call fails, and every response names the version that scored it.
 */
@QuarkusTest
class AliasesOverGrpcTest {
    private static final Struct ROW = row(Map.of("a", 0.3, "b", 104, "c", "green"));
    /** The test store outlives a run (target/hpl-test-data): fresh names keep version numbers at 1, 2. */
    private static final String RUN = Long.toHexString(System.nanoTime());

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Inject
    OipInference oip;

    private DatasetInfo dataset() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        return ApiTestSupport.upload(client, "y", GeneratedCsv.make(60, 0, 3), "id");
    }

    /** Trains a small SUPERVISED version. */
    private int train(String dataset, String name, long seed, boolean promote) {
        TrainRequest.Builder request = TrainRequest.newBuilder().setDatasetId(dataset).setMethod(Method.SUPERVISED)
                .setModelName(name).setSeed(seed)
                .putHyperparameters("iterations", "20").putHyperparameters("hidden_layers", "8");
        request.setPromote(promote);
        List<TrainEvent> events = client.train(request.build()).collect().asList().await().atMost(TIMEOUT);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), String.valueOf(last));
        return last.getFinished().getModel().getVersion();
    }

    private PredictResponse predict(PredictRequest.Builder request) {
        return client.predict(request.addRows(ROW).build()).await().atMost(TIMEOUT);
    }

    private ModelInfo model(String name, int version) {
        return client.getModel(GetModelRequest.newBuilder().setName(name).setVersion(version).build()).await().atMost(TIMEOUT);
    }

    private SetAliasResponse setAlias(String name, String alias, int version) {
        return client.setAlias(SetAliasRequest.newBuilder().setModelName(name).setAlias(alias).setVersion(version).build())
                .await().atMost(TIMEOUT);
    }

    /** train v1 (promote) → production=v1; v2 with promote=false → version 0 still serves v1; SetAlias → v2; rollback. */
    @Test
    void promoteThenMoveThenRollBack() throws InterruptedException {
        String ds = dataset().getId();
        String m = "alias-flow-" + RUN;
        assertEquals(1, train(ds, m, 1, true));
        assertEquals(List.of("production"), model(m, 1).getAliasesList());
        assertTrue(model(m, 1).getLoaded(), "promote loads the new version's session");
        assertEquals(2, train(ds, m, 2, false));
        assertFalse(model(m, 2).getLoaded(), "not promoted: not loaded");
        assertEquals(1, predict(PredictRequest.newBuilder().setModelName(m)).getVersion(), "version 0 still serves v1");
        assertEquals(1, model(m, 0).getVersion(), "GetModel agrees");

        assertEquals(1, setAlias(m, "production", 2).getPreviousVersion());
        assertTrue(model(m, 2).getLoaded(), "SetAlias loaded v2 before any Predict");
        assertEquals(List.of("production"), model(m, 2).getAliasesList());
        assertEquals(List.of(), model(m, 1).getAliasesList());
        assertEquals(2, predict(PredictRequest.newBuilder().setModelName(m)).getVersion());

        setAlias(m, "production", 1); // rollback
        assertEquals(1, predict(PredictRequest.newBuilder().setModelName(m)).getVersion());
        assertEquals(1, predict(PredictRequest.newBuilder().setModelName(m + "@production")).getVersion());
        assertEquals(1, predict(PredictRequest.newBuilder().setModelName(m).setAlias("production")).getVersion());
        assertEquals(2, predict(PredictRequest.newBuilder().setModelName(m).setVersion(2)).getVersion(), "pins still work");

        setAlias(m, "candidate", 2);
        // OIP resolves through the same ModelStore.resolve: name@alias and the default alias reach it too
        assertEquals(List.of("2"), oip.metadata(m + "@candidate", "").versions());
        assertEquals(List.of("1"), oip.metadata(m + "@production", "").versions());
        assertTrue(oip.modelReady(m + "@candidate", ""));
        EvaluateResponse evaluated = client.evaluate(EvaluateRequest.newBuilder().setModelName(m + "@candidate")
                .setInline(InlineRows.newBuilder().addRows(row(Map.of("a", 0.3, "b", 104, "c", "green", "y", 0.5)))).build())
                .await().atMost(TIMEOUT);
        assertEquals(2, evaluated.getVersion(), "Evaluate answers with the version the alias pointed to");
        assertEquals(2, client.getModel(GetModelRequest.newBuilder().setName(m).setAlias("candidate").build())
                .await().atMost(TIMEOUT).getVersion());
        List<ModelInfo> listed = client.listModels(ListModelsRequest.newBuilder().setName(m).build()).await().atMost(TIMEOUT)
                .getModelsList();
        assertEquals(List.of(List.of("production"), List.of("candidate")), listed.stream().map(ModelInfo::getAliasesList).toList());
    }

    @Test
    void mistakesGetStatusesThatSayWhatToDo() throws InterruptedException {
        String ds = dataset().getId();
        String m = "alias-errors-" + RUN;
        train(ds, m, 1, false);
        train(ds, m, 2, false);
        assertEquals(List.of(), model(m, 2).getAliasesList(), "promote=false and no alias: nothing created");
        assertEquals(2, predict(PredictRequest.newBuilder().setModelName(m)).getVersion(), "latest, as before aliases");
        assertStatus(Status.Code.NOT_FOUND, () -> predict(PredictRequest.newBuilder().setModelName(m + "@candidate")),
                "no alias 'candidate'", "SetAlias");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(PredictRequest.newBuilder().setModelName(m).setAlias("Prod")),
                "alias 'Prod' is not valid");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> predict(PredictRequest.newBuilder().setModelName(m).setVersion(1)
                .setAlias("production")), "either version (1) or alias");
        assertStatus(Status.Code.NOT_FOUND, () -> setAlias(m, "candidate", 9), "no version 9");
        setAlias(m, "candidate", 1);
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> client.deleteModel(DeleteModelRequest.newBuilder().setName(m)
                .setVersion(1).build()).await().atMost(TIMEOUT), "'candidate' -> version 1", "DeleteAlias");
        assertEquals(1, client.deleteAlias(DeleteAliasRequest.newBuilder().setModelName(m).setAlias("candidate").build())
                .await().atMost(TIMEOUT).getVersion());
        assertStatus(Status.Code.NOT_FOUND, () -> client.deleteAlias(DeleteAliasRequest.newBuilder().setModelName(m)
                .setAlias("candidate").build()).await().atMost(TIMEOUT), "no alias 'candidate'");
        assertEquals(2, client.deleteModel(DeleteModelRequest.newBuilder().setName(m).build()).await().atMost(TIMEOUT)
                .getVersionsDeleted());
    }

    /**
     * The Must show. Each response's mean is checked against the mean its named version gives
     * when pinned, so "the version that served" is verified, not just echoed; and the version must be
     * one the alias pointed to at some time during the call (from the mover's log of intended targets).
     */
    @Test
    void predictByAliasWhileItMovesNeverFailsAndNamesTheVersionThatServed() throws Exception {
        String ds = dataset().getId();
        String m = "alias-load-" + RUN;
        int v1 = train(ds, m, 1, true);
        int v2 = train(ds, m, 2, false);
        Map<Integer, Double> meanOf = Map.of(
                v1, predict(PredictRequest.newBuilder().setModelName(m).setVersion(v1)).getPredictions(0).getMean(),
                v2, predict(PredictRequest.newBuilder().setModelName(m).setVersion(v2)).getPredictions(0).getMean());
        assertNotEquals(meanOf.get(v1), meanOf.get(v2), "the two versions must score the row differently");

        List<Integer> intended = Collections.synchronizedList(new ArrayList<>(List.of(v1))); // targets, in order
        int moves = 60;
        int threads = 4;
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Map<Integer, Integer> served = new ConcurrentHashMap<>();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                callers.add(pool.submit(() -> {
                    while (moving.get()) {
                        int before = intended.size();
                        PredictResponse r;
                        try {
                            r = predict(PredictRequest.newBuilder().setModelName(m).setAlias("production"));
                        } catch (RuntimeException e) {
                            failures.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                            continue;
                        }
                        int after = intended.size();
                        List<Integer> possible;
                        synchronized (intended) {
                            possible = List.copyOf(intended.subList(Math.max(0, before - 2), after));
                        }
                        if (!possible.contains(r.getVersion())) {
                            failures.merge("version " + r.getVersion() + " not among " + possible, 1, Integer::sum);
                        } else if (!meanOf.get(r.getVersion()).equals(r.getPredictions(0).getMean())) {
                            failures.merge("mean " + r.getPredictions(0).getMean() + " is not version " + r.getVersion()
                                    + "'s " + meanOf.get(r.getVersion()), 1, Integer::sum);
                        } else {
                            ok.incrementAndGet();
                            served.merge(r.getVersion(), 1, Integer::sum);
                        }
                    }
                }));
            }
            Future<?> mover = pool.submit(() -> {
                try {
                    for (int i = 1; i <= moves; i++) {
                        int target = i % 2 == 1 ? v2 : v1;
                        intended.add(target); // before the move: a call may see it from now on
                        setAlias(m, "production", target);
                    }
                } finally {
                    moving.set(false);
                }
            });
            mover.get();
            for (Future<?> f : callers) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        System.out.printf("Predict by alias under %d moves, %d threads: %d ok (v%d: %d, v%d: %d), %d failed%n", moves,
                threads, ok.get(), v1, served.getOrDefault(v1, 0), v2, served.getOrDefault(v2, 0),
                failures.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(Map.of(), failures, "failed or wrong calls by message");
        assertTrue(ok.get() >= threads, "every thread got answers: " + ok.get());
        assertEquals(v1, predict(PredictRequest.newBuilder().setModelName(m + "@production")).getVersion(),
                "an even number of moves ends where it began");
    }
}
