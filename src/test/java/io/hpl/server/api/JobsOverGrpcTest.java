package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.GetJobRequest;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.JobState;
import io.hpl.server.api.v1.ListJobsRequest;
import io.hpl.server.api.v1.ListMethodsRequest;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.WatchJobRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Training jobs as resources over real gRPC: start, watch, reattach, cancel, list, and streams left early. */
@QuarkusTest
class JobsOverGrpcTest {
    /** How many times the connection-drop test leaves a Train stream right after `finished`; -Dhpltest.leave-after-finished=N. */
    private static final int LEAVES = Integer.getInteger("hpltest.leave-after-finished", 500);

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    private String datasetId;

    @BeforeEach
    void setUp() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        datasetId = upload(client, "y", GeneratedCsv.make(300, 0, 5), "id").getId();
    }

    private TrainRequest.Builder supervised(String model, int iterations) {
        return TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED).setModelName(model)
                .putHyperparameters("iterations", Integer.toString(iterations)).putHyperparameters("hidden_layers", "16")
                .putHyperparameters("progress_every", "50").setSeed(1);
    }

    private TrainRequest gbdt(String model) {
        return TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.GBDT).setModelName(model).build();
    }

    private static String name() {
        return "jobs-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private List<TrainEvent> watchToEnd(String jobId, long from) {
        return client.watchJob(WatchJobRequest.newBuilder().setJobId(jobId).setFromSequence(from).build())
                .collect().asList().await().atMost(TIMEOUT);
    }

    @Test
    void startThenWatchEndsWithTheVersionAndGetJobAgrees() {
        String model = name();
        JobInfo started = client.startTraining(supervised(model, 100).setRequestId("r-" + model).build())
                .await().atMost(TIMEOUT);
        assertTrue(started.getId().startsWith("job-"));
        assertEquals(started.getId(), client.startTraining(supervised(model, 100).setRequestId("r-" + model).build())
                .await().atMost(TIMEOUT).getId(), "a retried start with the same request_id is the same job");
        List<TrainEvent> events = watchToEnd(started.getId(), 0);
        assertTrue(events.get(0).hasAccepted(), events.get(0).toString());
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), last.toString());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).getSequence(), "events are numbered from 0, one up each");
        }
        JobInfo job = client.getJob(GetJobRequest.newBuilder().setJobId(started.getId()).build()).await().atMost(TIMEOUT);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState());
        assertEquals(last.getFinished().getModel().getVersion(), job.getModelVersion());
        assertEquals(3, job.getHistoryCount());
        assertEquals(1, client.listJobs(ListJobsRequest.newBuilder().setModelName(model).build())
                .await().atMost(TIMEOUT).getJobsCount());
        assertStatus(Status.Code.NOT_FOUND, () -> client.getJob(GetJobRequest.newBuilder()
                .setJobId("job-nope").build()).await().atMost(TIMEOUT), "job-nope");
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> client.cancelJob(CancelJobRequest.newBuilder()
                .setJobId(started.getId()).build()).await().atMost(TIMEOUT), "already succeeded", "version 1");
    }

    /** Closing Train mid-training no longer cancels: reattach with WatchJob from the next sequence number. */
    @Test
    void droppingTheTrainStreamMidTrainingAndReattachingEndsWithOneVersion() {
        String model = name();
        List<TrainEvent> firstTwo = client.train(supervised(model, 600).build()).select().first(2)
                .collect().asList().await().atMost(TIMEOUT);
        assertTrue(firstTwo.get(1).hasProgress(), firstTwo.get(1).toString());
        String jobId = firstTwo.get(0).getAccepted().getJobId();
        List<TrainEvent> rest = watchToEnd(jobId, firstTwo.get(1).getSequence() + 1);
        assertEquals(firstTwo.get(1).getSequence() + 1, rest.get(0).getSequence(), "nothing lost, nothing repeated");
        assertTrue(rest.get(rest.size() - 1).hasFinished(), rest.get(rest.size() - 1).toString());
        assertEquals(1, client.listModels(ListModelsRequest.newBuilder().setName(model).build())
                .await().atMost(TIMEOUT).getModelsCount(), "exactly one version published");
    }

    /** A whole connection dropped mid-training (a port-forward dying): the job finishes; WatchJob on a new one catches up. */
    @Test
    void droppingTheConnectionMidTrainingAndReattachingEndsWithOneVersion() throws InterruptedException {
        String model = name();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost",
                ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class)).usePlaintext().build();
        String jobId;
        long lastSeen;
        try {
            Iterator<TrainEvent> stream = RegressionServiceGrpc.newBlockingStub(channel).train(supervised(model, 600).build());
            TrainEvent accepted = stream.next();
            TrainEvent progress = stream.next();
            assertTrue(progress.hasProgress(), progress.toString());
            jobId = accepted.getAccepted().getJobId();
            lastSeen = progress.getSequence();
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
        List<TrainEvent> rest = watchToEnd(jobId, lastSeen + 1);
        assertEquals(lastSeen + 1, rest.get(0).getSequence());
        assertTrue(rest.get(rest.size() - 1).hasFinished(), rest.get(rest.size() - 1).toString());
        assertEquals(1, client.listModels(ListModelsRequest.newBuilder().setName(model).build())
                .await().atMost(TIMEOUT).getModelsCount(), "exactly one version published");
    }

    @Test
    void cancelJobEndsWatchersWithCancelledAndPublishesNothing() {
        String model = name();
        JobInfo started = client.startTraining(supervised(model, 100_000).build()).await().atMost(TIMEOUT);
        JobInfo cancelled = client.cancelJob(CancelJobRequest.newBuilder().setJobId(started.getId()).build())
                .await().atMost(TIMEOUT);
        assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
        assertStatus(Status.Code.CANCELLED, () -> watchToEnd(started.getId(), 0), started.getId());
        assertEquals(1, client.listJobs(ListJobsRequest.newBuilder().setModelName(model)
                .setState(JobState.JOB_STATE_CANCELLED).build()).await().atMost(TIMEOUT).getJobsCount());
        assertEquals(0, client.listModels(ListModelsRequest.newBuilder().setName(model).build())
                .await().atMost(TIMEOUT).getModelsCount());
    }

    @Test
    void deletingTheLatestVersionThenTrainingGivesAHigherNumber() {
        String model = name();
        for (int i = 0; i < 2; i++) {
            client.train(gbdt(model)).collect().asList().await().atMost(TIMEOUT);
        }
        client.deleteModel(DeleteModelRequest.newBuilder().setName(model).setVersion(2).build()).await().atMost(TIMEOUT);
        List<TrainEvent> events = client.train(gbdt(model)).collect().asList().await().atMost(TIMEOUT);
        assertEquals(3, events.get(events.size() - 1).getFinished().getModel().getVersion());
    }

    /**
     * The connection drop: a client that leaves the Train stream right after `finished`,
     * many times on one channel, while other calls run on that channel. Every call must succeed.
     * Caveat: this Java (grpc-java) client has not reproduced the drop, not even against the code
     * before jobs (0 of 500); the Python client does (clients/python/examples/leave_after_finished.py).
     */
    @Test
    void leavingTheTrainStreamRightAfterFinishedNeverBreaksTheChannel() throws Exception {
        String model = name();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger otherCalls = new AtomicInteger();
        AtomicReference<Throwable> otherFailure = new AtomicReference<>();
        Thread others = new Thread(() -> {
            while (!done.get() && otherFailure.get() == null) {
                try {
                    client.listMethods(ListMethodsRequest.getDefaultInstance()).await().atMost(TIMEOUT);
                    otherCalls.incrementAndGet();
                } catch (RuntimeException e) {
                    otherFailure.set(e);
                }
            }
        }, "other-calls");
        others.start();
        int failedTrains = 0;
        Throwable firstTrainFailure = null;
        for (int i = 0; i < LEAVES; i++) {
            CompletableFuture<TrainEvent> finished = new CompletableFuture<>();
            AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
            client.train(gbdt(model)).subscribe().with(s -> {
                subscription.set(s);
                s.request(Long.MAX_VALUE);
            }, event -> {
                if (event.hasFinished()) {
                    subscription.get().cancel(); // leave at once, as `for ev in stream: if finished: break` does
                    finished.complete(event);
                }
            }, finished::completeExceptionally, () -> finished.completeExceptionally(new AssertionError("no finished")));
            try {
                finished.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                failedTrains++;
                firstTrainFailure = firstTrainFailure == null ? e : firstTrainFailure;
            }
        }
        done.set(true);
        others.join();
        System.out.printf("leave-after-finished: %d Train streams left right after finished, %d failed; %d other calls"
                + " alongside, failure: %s%n", LEAVES, failedTrains, otherCalls.get(), otherFailure.get());
        assertEquals(0, failedTrains, "first failure: " + firstTrainFailure);
        assertEquals(null, otherFailure.get());
        int versions = 0;
        String token = "";
        do { // ListModels pages (50 by default): follow every page
            var page = client.listModels(ListModelsRequest.newBuilder().setName(model).setPageSize(500)
                    .setPageToken(token).build()).await().atMost(TIMEOUT);
            versions += page.getModelsCount();
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertEquals(LEAVES, versions, "the channel still works, and every job published once");
    }
}
