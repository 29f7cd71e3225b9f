package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.GetJobRequest;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.JobState;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.WatchJobRequest;
import io.hpl.server.health.Engines;
import io.hpl.server.jobs.TrainingWorker;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * hpl.training.executor=kubernetes through the whole server (CDI, settings, gRPC) against fabric8's
 * mock API server: StartTraining creates the Job; a worker (the CDI-made {@link TrainingWorker}, as
 * in a pod, over the same store) trains it, and the server's own poller relays its progress and end
 * to a WatchJob stream; CancelJob of another job deletes its Job.
 */
@QuarkusTest
@TestProfile(KubernetesJobsOverGrpcTest.KubernetesExecutor.class)
class KubernetesJobsOverGrpcTest {
    static final String NAMESPACE = "hpl-test";
    static final String IMAGE = "registry.example/hpl-server:test";

    /** fabric8's mock API server in crud mode, for the app's Kubernetes client and for the test's checks. */
    public static class MockApi implements QuarkusTestResourceLifecycleManager {
        static KubernetesMockServer server;
        static KubernetesClient client;

        @Override
        public Map<String, String> start() {
            server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(List.of()), false);
            server.init();
            client = server.createClient();
            return Map.of("quarkus.kubernetes-client.api-server-url", client.getMasterUrl().toString(),
                    "quarkus.kubernetes-client.trust-certs", "true");
        }

        @Override
        public void stop() {
            client.close();
            server.destroy();
        }
    }

    public static class KubernetesExecutor implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpl.training.executor", "kubernetes", "hpl.training.kubernetes.image", IMAGE,
                    "hpl.training.kubernetes.namespace", NAMESPACE);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MockApi.class));
        }
    }

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    @Inject
    TrainingWorker worker;

    private static Job k8sJob(String jobId) {
        return MockApi.client.batch().v1().jobs().inNamespace(NAMESPACE).withName("hpl-train-" + jobId).get();
    }

    private TrainRequest request(String datasetId, String model) {
        return TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED).setModelName(model)
                .putHyperparameters("iterations", "200").putHyperparameters("progress_every", "50")
                .putHyperparameters("hidden_layers", "8").setSeed(3).build();
    }

    @Test
    void startTrainingCreatesAJobWhoseWorkersProgressReachesWatchJobAndCancelDeletesAJob() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        String datasetId = upload(client, "y", GeneratedCsv.make(120, 0, 3), "id").getId();

        JobInfo started = client.startTraining(request(datasetId, "k8s-grpc")).await().atMost(TIMEOUT);
        assertEquals(JobState.JOB_STATE_QUEUED, started.getState());
        Job job = k8sJob(started.getId());
        assertNotNull(job, "StartTraining created the Kubernetes Job");
        assertEquals(IMAGE, job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

        // The pod's part, here: the worker trains the job from the store, as HPL_MODE=worker would.
        assertEquals(0, worker.run(started.getId()));

        // The server's poller (every second) relays what the worker wrote; the stream ends with it.
        List<TrainEvent> events = client.watchJob(WatchJobRequest.newBuilder().setJobId(started.getId()).build())
                .collect().asList().await().atMost(TIMEOUT);
        List<Long> progress = events.stream().filter(TrainEvent::hasProgress).map(e -> e.getProgress().getIteration()).toList();
        assertEquals(List.of(50L, 100L, 150L, 200L), progress);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), String.valueOf(last));
        JobInfo done = client.getJob(GetJobRequest.newBuilder().setJobId(started.getId()).build()).await().atMost(TIMEOUT);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState());
        assertEquals(last.getFinished().getModel().getVersion(), done.getModelVersion());

        JobInfo other = client.startTraining(request(datasetId, "k8s-grpc-cancelled")).await().atMost(TIMEOUT);
        assertNotNull(k8sJob(other.getId()));
        JobInfo cancelled = client.cancelJob(CancelJobRequest.newBuilder().setJobId(other.getId()).build())
                .await().atMost(TIMEOUT);
        assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
        assertNull(k8sJob(other.getId()), "CancelJob deleted the Kubernetes Job");
    }
}
