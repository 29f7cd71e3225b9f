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

    @Test
    void closedSessionRefusesToPredict() throws Exception {
        session.close();
        assertThrows(IllegalStateException.class, () -> session.predict(RandomModels.rows(model, 1, 1)));
    }
}
