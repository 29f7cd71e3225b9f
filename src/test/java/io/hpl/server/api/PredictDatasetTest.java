package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.hpl.server.api.ApiTestSupport.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetPrediction;
import io.hpl.server.api.v1.PredictDatasetRequest;
import io.hpl.server.api.v1.PredictDatasetResponse;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.Prediction;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.api.v1.RowSelection;
import io.hpl.server.health.Engines;
import io.hpl.server.serving.PredictionService;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PredictDataset (issue 12): a 100,000-row stored dataset streams every row once, in order, with
 * Predict's means; UNLABELLED_ONLY gives exactly the unlabelled rows; the server reads ahead of a slow
 * client only as far as flow control lets it; bad requests get clear statuses.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictDatasetTest {
    private static final String MODEL = "pds-model";
    private static final int ROWS = 100_000;
    private static final int CHUNK = 1000;
    /**
     * Chunks the server may have read beyond those the client has received: what the transport holds
     * in flight (about 1 MiB of HTTP/2 window at ~50 KB a message, plus gRPC's 32 KiB ready threshold).
     * A server that read the dataset as fast as it could would pass it within moments (100 chunks).
     */
    private static final int MAX_AHEAD = 40;

    @GrpcClient("regression")
    RegressionService client;

    @GrpcClient("regression")
    RegressionServiceGrpc.RegressionServiceBlockingStub blocking;

    @GrpcClient("regression")
    HealthGrpc.HealthBlockingStub health;

    @Inject
    Engines engines;

    @Inject
    PredictionService predictions;

    @ConfigProperty(name = "hpl.predict.max-rows")
    int maxRows;

    @ConfigProperty(name = "hpl.predict.max-dataset-streams")
    int maxStreams;

    private String[] lines;
    private String bigDataset;

    @BeforeAll
    void trainAndUpload() throws InterruptedException {
        ApiTestSupport.trainSmallTabularModel(client, engines, MODEL);
        String csv = GeneratedCsv.make(30_000, ROWS - 30_000, 12);
        lines = csv.split("\n");
        bigDataset = ApiTestSupport.upload(client, DatasetHeader.newBuilder().setName("pds-100k").setTargetColumn("y")
                .addIgnoreColumns("id").build(), csv.getBytes(StandardCharsets.UTF_8), 1 << 20).getId();
    }

    @AfterEach
    void stillServing() {
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().build()).getStatus());
    }

    private PredictDatasetRequest.Builder request(String datasetId) {
        return PredictDatasetRequest.newBuilder().setModelName(MODEL).setDatasetId(datasetId);
    }

    @Test
    void everyRowOnceInOrderWithPredictsMeansAndABoundedReadAhead() {
        long before = predictions.datasetChunksRead();
        Iterator<PredictDatasetResponse> stream = blocking.withDeadlineAfter(3, java.util.concurrent.TimeUnit.MINUTES)
                .predictDataset(request(bigDataset).setChunkRows(CHUNK).setIdColumn("id").build());
        List<DatasetPrediction> rows = new ArrayList<>(ROWS);
        int version = -1;
        int received = 0;
        while (stream.hasNext()) {
            PredictDatasetResponse message = stream.next();
            received++;
            assertTrue(message.getPredictionsCount() <= CHUNK, "at most chunk_rows a message");
            if (version < 0) {
                version = message.getVersion();
                // Flat memory: the client stops reading for a while. A producer paced by flow control
                // stays within MAX_AHEAD chunks; one that reads and scores the dataset regardless (or
                // queues every chunk, as Quarkus would let it) passes MAX_AHEAD well within the bound.
                // A bounded poll on the condition that must not come true, not a sleep to sync on.
                long deadline = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < deadline && predictions.datasetChunksRead() - before <= received + MAX_AHEAD) {
                    Thread.onSpinWait();
                }
            }
            long read = predictions.datasetChunksRead() - before;
            assertTrue(read <= received + MAX_AHEAD, "the server read " + read + " chunks when the client had received "
                    + received + ": it reads ahead of a slow client");
            assertEquals(version, message.getVersion(), "one version for the whole stream");
            rows.addAll(message.getPredictionsList());
        }
        assertArrayEquals(LongStream.range(0, ROWS).toArray(), rows.stream().mapToLong(DatasetPrediction::getRowIndex).toArray(),
                "every row once, in the file's order");
        for (int i = 0; i < ROWS; i += 9_973) {
            assertEquals("r" + i, rows.get(i).getRowId(), "the id column's cell");
            Prediction expected = predictOne(i);
            assertEquals(expected.getMean(), rows.get(i).getMean(), 1e-9 * Math.max(1, Math.abs(expected.getMean())), "row " + i);
            assertEquals(expected.getVariance(), rows.get(i).getVariance(), 1e-9 * Math.max(1, expected.getVariance()), "row " + i);
            assertEquals(expected.getUpper(), rows.get(i).getUpper(), 1e-9 * Math.max(1, Math.abs(expected.getUpper())), "row " + i);
        }
    }

    /** Predict on row {@code i} of the generated CSV (columns id,a,b,c,y). */
    private Prediction predictOne(int i) {
        String[] cells = lines[i + 1].split(",", -1);
        Map<String, Object> row = Map.of("a", Double.parseDouble(cells[1]), "b", Double.parseDouble(cells[2]), "c", cells[3]);
        return client.predict(PredictRequest.newBuilder().setModelName(MODEL).addRows(ApiTestSupport.row(row)).build())
                .await().atMost(TIMEOUT).getPredictions(0);
    }

    @Test
    void unlabelledOnlyGivesExactlyTheUnlabelledRows() {
        // Every third row unlabelled, so they interleave with labelled ones and cross chunk boundaries.
        String[] source = GeneratedCsv.make(300, 0, 5).split("\n");
        StringBuilder csv = new StringBuilder(source[0]).append('\n');
        List<Long> unlabelled = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String line = source[i + 1];
            if (i % 3 == 1) {
                line = line.substring(0, line.lastIndexOf(',') + 1);
                unlabelled.add((long) i);
            }
            csv.append(line).append('\n');
        }
        String id = ApiTestSupport.upload(client, "y", csv.toString(), "id").getId();

        List<Long> got = indexes(request(id).setRows(RowSelection.ROW_SELECTION_UNLABELLED_ONLY).setChunkRows(7));
        assertEquals(unlabelled, got);
        assertEquals(LongStream.range(0, 300).boxed().toList(), indexes(request(id).setChunkRows(7)), "ALL: every row");
    }

    private List<Long> indexes(PredictDatasetRequest.Builder request) {
        return client.predictDataset(request.build()).collect().asList().await().atMost(TIMEOUT).stream()
                .flatMap(m -> m.getPredictionsList().stream()).map(DatasetPrediction::getRowIndex).toList();
    }

    @Test
    void aClientThatCancelsStopsTheServersWork() {
        long before = predictions.datasetChunksRead();
        // Quarkus' Mutiny client does not cancel the call when its Multi is cancelled (tried: the server read
        // on), so the blocking stub is called in a context of our own and the context is cancelled.
        io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
        PredictDatasetResponse first;
        io.grpc.Context previous = call.attach();
        try {
            first = blocking.predictDataset(request(bigDataset).setChunkRows(CHUNK).build()).next();
        } finally {
            call.detach(previous);
        }
        assertEquals(CHUNK, first.getPredictionsCount());
        call.cancel(null);
        // A producer that ignored the cancel would sit at the flow-control gate (the cancelled stream never
        // becomes ready) with the dataset open for good; one that sees it closes the dataset and ends.
        // Bounded poll on that condition.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && predictions.datasetStreamsOpen() > 0) {
            Thread.onSpinWait();
        }
        assertEquals(0, predictions.datasetStreamsOpen(), "the stream's work went on after the client cancelled");
        assertTrue(predictions.datasetChunksRead() - before < ROWS / CHUNK, "it stopped before the end of the dataset");
    }

    /**
     * Each open stream holds a worker thread while its client is slow: past hpl.predict.max-dataset-streams
     * (3 in tests) one more is refused RESOURCE_EXHAUSTED, and taken again once one has ended.
     */
    @Test
    void streamsPastTheLimitAreRefusedUntilOneEnds() {
        String small = ApiTestSupport.upload(client, "y", GeneratedCsv.make(40, 0, 5), "id").getId();
        List<io.grpc.Context.CancellableContext> open = new ArrayList<>();
        try {
            for (int i = 0; i < maxStreams; i++) {
                // Slow clients: each reads one message and no more, so its stream stays open at flow control.
                io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
                open.add(call);
                io.grpc.Context previous = call.attach();
                try {
                    assertEquals(CHUNK, blocking.predictDataset(request(bigDataset).setChunkRows(CHUNK).build()).next()
                            .getPredictionsCount());
                } finally {
                    call.detach(previous);
                }
            }
            assertEquals(maxStreams, predictions.datasetStreamsOpen());
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> indexes(request(small)), "hpl.predict.max-dataset-streams");
            open.remove(0).cancel(null);
            long deadline = System.nanoTime() + 30_000_000_000L; // bounded poll on the ended stream's release
            while (System.nanoTime() < deadline && predictions.datasetStreamsOpen() >= maxStreams) {
                Thread.onSpinWait();
            }
            assertEquals(LongStream.range(0, 40).boxed().toList(), indexes(request(small)), "a slot again once one ended");
        } finally {
            open.forEach(call -> call.cancel(null));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && predictions.datasetStreamsOpen() > 0) {
                Thread.onSpinWait();
            }
        }
        assertEquals(0, predictions.datasetStreamsOpen());
    }

    @Test
    void badRequestsGetStatusesThatSayWhatToFix() {
        assertStatus(Status.Code.NOT_FOUND, () -> indexes(request("ds-nope")), "ds-nope", "not found");
        assertStatus(Status.Code.NOT_FOUND, () -> indexes(request(bigDataset).setModelName("no-such-model")), "no-such-model");
        assertStatus(Status.Code.NOT_FOUND, () -> indexes(request(bigDataset).setAlias("nosuch")), "nosuch");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(bigDataset).setChunkRows(-1)), "chunk_rows", "-1",
                "hpl.predict.max-rows");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(bigDataset).setChunkRows(maxRows + 1)), "chunk_rows",
                String.valueOf(maxRows));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(bigDataset).setIdColumn("key")), "id_column", "key");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(bigDataset).setRowsValue(9)), "rows", "9");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(bigDataset).setIntervalLevel(1.5)), "1.5");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request("bad id!")), "dataset id");

        // A dataset without one of the model's feature columns (c).
        String noC = ApiTestSupport.upload(client, "y", "a,b,y\n0.1,100,1.0\n0.2,101,\n").getId();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(noC)), "'c'", "not in the header");
        // A row the model cannot encode ends the stream with its line.
        String badCategory = ApiTestSupport.upload(client, "y", "id,a,b,c,y\nr0,0.1,100,red,1.0\nr1,0.2,101,purple,\n", "id").getId();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> indexes(request(badCategory)), "line 3", "purple");
    }
}
