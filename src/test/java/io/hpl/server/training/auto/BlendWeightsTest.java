package io.hpl.server.training.auto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlendWeightsTest {
    private static final int N = 2000;

    /** Two unbiased predictors with independent errors: their average beats each one. */
    @Test
    void findsTheBlendOfComplementaryCandidatesAndIgnoresAUselessOne() {
        Random r = new Random(1);
        double[] y = new double[N];
        double[][] outputs = new double[3][N];
        for (int i = 0; i < N; i++) {
            y[i] = r.nextGaussian();
            outputs[0][i] = y[i] + r.nextGaussian() * 0.5;
            outputs[1][i] = y[i] + r.nextGaussian() * 0.5;
            outputs[2][i] = r.nextGaussian(); // knows nothing
        }
        int[] all = IntStream.range(0, N).toArray();
        double[] w = BlendWeights.fit(outputs, y, all);
        assertEquals(1.0, Arrays.stream(w).sum(), 1e-9);
        assertEquals(0.5, w[0], 0.11);
        assertEquals(0.5, w[1], 0.11);
        assertEquals(0.0, w[2], 0.051);
        double blend = BlendWeights.mae(outputs, w, y, all);
        double single = BlendWeights.mae(outputs, BlendWeights.bestSingle(outputs, y, all), y, all);
        assertTrue(blend < 0.8 * single, "blend " + blend + " vs single " + single);
    }

    @Test
    void aDominantCandidateIsServedAlone() {
        Random r = new Random(2);
        double[] y = new double[N];
        double[][] outputs = new double[2][N];
        for (int i = 0; i < N; i++) {
            y[i] = r.nextGaussian();
            outputs[0][i] = y[i] + r.nextGaussian() * 2;
            outputs[1][i] = y[i] + r.nextGaussian() * 0.01;
        }
        int[] all = IntStream.range(0, N).toArray();
        assertArrayEquals(new double[] {0, 1}, BlendWeights.fit(outputs, y, all), 1e-12);
        assertArrayEquals(new double[] {0, 1}, BlendWeights.bestSingle(outputs, y, all), 1e-12);
    }

    @Test
    void halvesPartitionTheRows() {
        int[][] halves = BlendWeights.halves(101, 5);
        assertEquals(50, halves[0].length);
        assertEquals(51, halves[1].length);
        int[] joined = IntStream.concat(Arrays.stream(halves[0]), Arrays.stream(halves[1])).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 101).toArray(), joined);
        assertTrue(!Arrays.equals(halves[0], IntStream.range(0, 50).toArray()), "dealt at random, not in order");
    }
}
