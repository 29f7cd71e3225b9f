package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.JobState;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainHeartbeat;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.WatchJobRequest;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats over real gRPC, with hpl.training.heartbeat-every=300ms: a Train stream and a WatchJob
 * stream of a job that sends no progress for a long while each get a heartbeat (waited for with a
 * bounded await, not a sleep), and the job's cancel still ends both streams with CANCELLED.
 */
@QuarkusTest
@TestProfile(HeartbeatsOverGrpcTest.ShortHeartbeat.class)
class HeartbeatsOverGrpcTest {
    public static class ShortHeartbeat implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpl.training.heartbeat-every", "300ms");
        }
    }

    /** What a stream delivered: an event, its failure, or {@link #COMPLETED}. */
    private static final Object COMPLETED = new Object();

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    Engines engines;

    private static BlockingQueue<Object> drain(Multi<TrainEvent> stream) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        stream.subscribe().with(queue::add, queue::add, () -> queue.add(COMPLETED));
        return queue;
    }

    /** The first heartbeat on the stream, and the last numbered event before it; fails after TIMEOUT. */
    private static TrainEvent[] firstHeartbeat(BlockingQueue<Object> stream) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        TrainEvent lastNumbered = null;
        while (System.nanoTime() < deadline) {
            Object next = stream.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (!(next instanceof TrainEvent e)) {
                throw new AssertionError("the stream ended before a heartbeat: " + next);
            }
            if (e.hasHeartbeat()) {
                return new TrainEvent[] {lastNumbered, e};
            }
            lastNumbered = e;
        }
        throw new AssertionError("no heartbeat within " + TIMEOUT);
    }

    private static Object endOf(BlockingQueue<Object> stream) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Object next = stream.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (!(next instanceof TrainEvent)) {
                return next;
            }
        }
        throw new AssertionError("the stream did not end within " + TIMEOUT);
    }

    @Test
    void trainAndWatchJobStreamsOfASilentJobGetHeartbeatsThenEndWithItsCancel() throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        String datasetId = upload(client, "y", GeneratedCsv.make(300, 0, 5), "id").getId();
        // progress_every above iterations: no progress event until the end, so only heartbeats keep the streams busy
        TrainRequest request = TrainRequest.newBuilder().setDatasetId(datasetId).setMethod(Method.SUPERVISED)
                .setModelName("heartbeat").putHyperparameters("iterations", "200000")
                .putHyperparameters("progress_every", "1000000").putHyperparameters("hidden_layers", "16").setSeed(1).build();
        BlockingQueue<Object> train = drain(client.train(request));

        TrainEvent[] onTrain = firstHeartbeat(train);
        assertNotNull(onTrain[0], "accepted comes first");
        String jobId = onTrain[0].getAccepted().getJobId();
        TrainHeartbeat beat = onTrain[1].getHeartbeat();
        assertEquals(jobId, beat.getJobId());
        assertTrue(beat.getState() == JobState.JOB_STATE_RUNNING || beat.getState() == JobState.JOB_STATE_QUEUED,
                beat.toString());
        assertTrue(beat.getElapsedSeconds() >= 0, beat.toString());
        assertEquals(onTrain[0].getSequence(), onTrain[1].getSequence(),
                "a heartbeat repeats the latest sequence, so last seen + 1 still reattaches right");

        BlockingQueue<Object> watch = drain(client.watchJob(WatchJobRequest.newBuilder().setJobId(jobId)
                .setFromSequence(onTrain[1].getSequence() + 1).build()));
        TrainEvent[] onWatch = firstHeartbeat(watch);
        assertEquals(jobId, onWatch[1].getHeartbeat().getJobId());

        client.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build()).await().atMost(TIMEOUT);
        for (BlockingQueue<Object> stream : java.util.List.of(train, watch)) {
            Object end = endOf(stream);
            assertTrue(end instanceof Throwable t && Status.fromThrowable(t).getCode() == Status.Code.CANCELLED,
                    String.valueOf(end));
        }
    }
}
