package io.hpl.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OnnxModelSessionTest {
    private final TrainedModel model = RandomModels.model(3);
    private OnnxModelSession session;

    @BeforeEach
    void open() throws Exception {
        byte[] onnx = new OnnxModelWriter().write(model, Map.of("hpl.model_id", "m-3"));
        session = new OrtSessionFactory(OrtSessionFactory.Device.CPU).open(onnx);
    }

    @AfterEach
    void close() throws Exception {
        session.close();
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        int width = model.schema().encodedWidth();
        assertEquals(width, session.inputWidth());
        float[][] rows = RandomModels.rows(model, 1, 4);
        rows[2] = new float[width + 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> session.predict(rows));
        assertEquals("row 2 has " + (width + 1) + " features, the model takes " + width, e.getMessage());
    }

    @Test
    void packedRowsScoreAsRowArrays() throws Exception {
        float[][] rows = RandomModels.rows(model, 7, 300);
        int width = session.inputWidth();
        float[] packed = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, packed, i * width, width);
        }
        Predictions expected = session.predict(rows);
        Predictions p = session.predict(packed, rows.length);
        assertArrayEquals(expected.mean(), p.mean());
        assertArrayEquals(expected.variance(), p.variance());
        assertThrows(IllegalArgumentException.class, () -> session.predict(packed, rows.length + 1));
    }

    /** A batch past MAX_ROWS_PER_RUN runs in pieces: each row scores as it does alone in a small batch. */
    @Test
    void batchesLongerThanOneRunScoreAsTheirRows() throws Exception {
        int n = 2 * OnnxModelSession.MAX_ROWS_PER_RUN + 37;
        float[][] rows = RandomModels.rows(model, 11, n);
        Predictions all = session.predict(rows);
        for (int i : new int[] {0, OnnxModelSession.MAX_ROWS_PER_RUN - 1, OnnxModelSession.MAX_ROWS_PER_RUN, n - 1}) {
            Predictions one = session.predict(new float[][] {rows[i]});
            assertEquals(one.mean()[0], all.mean()[i], 1e-6 * Math.max(1, Math.abs(one.mean()[0])), "row " + i);
            assertEquals(one.variance()[0], all.variance()[i], 1e-6 * Math.max(1, one.variance()[0]), "row " + i);
        }
    }

    @Test
    void emptyBatchGivesEmptyPredictions() throws Exception {
        assertEquals(0, session.predict(new float[0][]).size());
    }

    @Test
    void variancesAreTheConstant() throws Exception {
        Predictions p = session.predict(RandomModels.rows(model, 2, 5));
        assertArrayEquals(new double[] {12.5, 12.5, 12.5, 12.5, 12.5}, p.variance());
    }

    @Test
    void concurrentPredictionsAgreeWithSequentialOnes() throws Exception {
        float[][] rows = RandomModels.rows(model, 5, 64);
        Predictions expected = session.predict(rows);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Predictions>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(() -> session.predict(rows)));
            }
            for (Future<Predictions> f : futures) {
                Predictions p = f.get();
                assertArrayEquals(expected.mean(), p.mean());
                assertArrayEquals(expected.variance(), p.variance());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs of a few rows use the thread's pinned tensors; a batch past PinnedRun.MAX_VALUES does not.
     * Every row scores the same either way, whatever row counts follow each other on a thread.
     */
    @Test
    void pinnedRunsScoreAsUnpinnedOnes() throws Exception {
        int n = PinnedRun.MAX_VALUES / session.inputWidth() + 50;
        float[][] rows = RandomModels.rows(model, 13, n);
        Predictions all = session.predict(rows); // too many values to pin
        int at = 0;
        for (int count : new int[] {1, 1, 2, 3, 1, 7, 2, 1}) {
            float[][] part = java.util.Arrays.copyOfRange(rows, at, at + count);
            Predictions p = session.predict(part);
            for (int i = 0; i < count; i++) {
                double mean = all.mean()[at + i];
                assertEquals(mean, p.mean()[i], 1e-6 * Math.max(1, Math.abs(mean)), "row " + (at + i));
                assertEquals(all.variance()[at + i], p.variance()[i], 1e-6 * Math.max(1, all.variance()[at + i]));
            }
            at += count;
        }
        assertEquals(1, session.pinnedRunCount(), "one thread keeps one set, for the row count it last ran");
    }

    /** Each thread has its own pinned tensors: concurrent one-row calls never see each other's rows. */
    @Test
    void concurrentOneRowCallsGetTheirOwnRows() throws Exception {
        float[][] rows = RandomModels.rows(model, 17, 400);
        Predictions expected = session.predict(rows);
        int before = session.pinnedRunCount(); // this thread's, if 400 rows are few enough values to pin
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        for (int i = offset; i < rows.length; i += threads) {
                            Predictions p = session.predict(new float[][] {rows[i]});
                            double mean = expected.mean()[i];
                            assertEquals(mean, p.mean()[0], 1e-6 * Math.max(1, Math.abs(mean)), "row " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + threads, session.pinnedRunCount(), "one set per thread that ran one row, not one per call");
        session.close();
        assertEquals(0, session.pinnedRunCount(), "closing the session releases every thread's set");
    }

    /** Pools replace their threads: past MAX_PINNED_THREADS, a new thread runs unpinned, with the same results. */
    @Test
    void pinnedSetsAreBoundedByThreadsNotByThreadTurnover() throws Exception {
        float[][] row = RandomModels.rows(model, 19, 1);
        Predictions expected = session.predict(row);
        int threads = OnnxModelSession.MAX_PINNED_THREADS + 10;
        for (int t = 0; t < threads; t++) {
            ExecutorService one = Executors.newSingleThreadExecutor(); // a fresh thread each time, then gone
            try {
                Predictions p = one.submit(() -> session.predict(row)).get();
                assertArrayEquals(expected.mean(), p.mean());
                assertArrayEquals(expected.variance(), p.variance());
            } finally {
                one.shutdownNow();
            }
        }
        assertEquals(OnnxModelSession.MAX_PINNED_THREADS, session.pinnedRunCount());
    }

    @Test
    void closedSessionRefusesToPredict() throws Exception {
        session.close();
        assertThrows(IllegalStateException.class, () -> session.predict(RandomModels.rows(model, 1, 1)));
    }
}
