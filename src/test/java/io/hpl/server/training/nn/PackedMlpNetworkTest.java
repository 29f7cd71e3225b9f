package io.hpl.server.training.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.hpl.server.model.PackedLayer;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.PiecewiseLinearEncoding;
import io.hpl.server.training.PiecewiseLinearFit;
import io.hpl.server.training.PyTorchEngine;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PackedMlpNetworkTest {
    /** Columns: two continuous, one with three distinct values, two one-hot. */
    private static final boolean[] ONE_HOT = {false, false, false, true, true};

    @BeforeAll
    static void engine() {
        PyTorchEngine.get();
        JniUtils.setGradMode(false);
    }

    private static float[][] rows(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            boolean hot = r.nextBoolean();
            x[i] = new float[] {(float) r.nextGaussian(), (float) (2 * r.nextGaussian()), r.nextInt(3) - 1f,
                    hot ? 1 : 0, hot ? 0 : 1};
        }
        return x;
    }

    private static PiecewiseLinearEncoding encoding(int bins) {
        return PiecewiseLinearFit.fit(List.<float[][]>of(rows(300, 1)), ONE_HOT, bins);
    }

    private static NDArray array(NDManager m, float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    @Test
    void encodingHasABinPerQuantileAndPassesOneHotColumnsThrough() {
        PiecewiseLinearEncoding e = encoding(8);
        int[] perColumn = new int[ONE_HOT.length];
        Arrays.stream(e.source()).forEach(j -> perColumn[j]++);
        assertArrayEquals(new int[] {8, 8, 2, 1, 1}, perColumn, "the three-valued column has 3 edges, so 2 bins");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            PackedMlpNetwork network = new PackedMlpNetwork(m, PackedMlpNetwork.initial(e, List.of(4), 2, new Random(0)), 0);
            float[][] x = rows(50, 2);
            float[] encoded = network.encode(array(m, x)).toFloatArray();
            int width = e.outputs();
            for (int i = 0; i < x.length; i++) {
                for (int o = 0; o < width; o++) {
                    assertEquals(reference(e, x[i], o), encoded[i * width + o], 1e-6, "row " + i + " output " + o);
                }
                // One-hot columns are the last two outputs, unchanged.
                assertEquals(x[i][3], encoded[i * width + width - 2]);
                assertEquals(x[i][4], encoded[i * width + width - 1]);
            }
        }
    }

    /** The paper's piecewise-linear encoding, written out: 0 left of a bin, 1 right of it, linear inside. */
    private static double reference(PiecewiseLinearEncoding e, float[] row, int o) {
        double v = (row[e.source()[o]] - e.lower()[o]) / (double) e.width()[o];
        boolean firstOfColumn = o == 0 || e.source()[o - 1] != e.source()[o];
        boolean lastOfColumn = o == e.outputs() - 1 || e.source()[o + 1] != e.source()[o];
        if (!firstOfColumn) {
            v = Math.max(v, 0);
        }
        if (!lastOfColumn) {
            v = Math.min(v, 1);
        }
        return v;
    }

    /** The packing layout is right: the output is the mean of K ordinary MLPs cut out of the packed weights. */
    @Test
    void outputIsTheMeanOfTheMembersMlps() {
        int k = 3;
        PackedMlp packed = PackedMlpNetwork.initial(encoding(6), List.of(5, 4), k, new Random(3));
        float[][] x = rows(20, 4);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            PackedMlpNetwork network = new PackedMlpNetwork(m, packed, 0);
            NDArray input = array(m, x);
            float[] out = network.predict(input, false).toFloatArray();
            float[] encoded = network.encode(input).toFloatArray();
            int e = packed.encoding().outputs();
            for (int i = 0; i < x.length; i++) {
                double mean = 0;
                for (int member = 0; member < k; member++) {
                    mean += member(packed, member, Arrays.copyOfRange(encoded, i * e, (i + 1) * e)) / k;
                }
                assertEquals(mean, out[i], 1e-5, "row " + i);
            }
        }
    }

    /** Member {@code k}'s own MLP, in doubles: its rows of the first layer, its packed layers, K·(its head slice) + b. */
    private static double member(PackedMlp p, int k, float[] e) {
        int w1 = p.first().outputs() / p.members();
        double[] h = new double[w1];
        for (int o = 0; o < w1; o++) {
            int row = k * w1 + o;
            double s = p.first().bias()[row];
            for (int j = 0; j < e.length; j++) {
                s += p.first().weight()[row * e.length + j] * (double) e[j];
            }
            h[o] = Math.max(0, s);
        }
        for (PackedLayer layer : p.hidden()) {
            double[] next = new double[layer.outputs()];
            for (int o = 0; o < layer.outputs(); o++) {
                double s = layer.bias()[k * layer.outputs() + o];
                for (int j = 0; j < layer.inputs(); j++) {
                    s += h[j] * layer.weight()[(k * layer.inputs() + j) * layer.outputs() + o];
                }
                next[o] = Math.max(0, s);
            }
            h = next;
        }
        double s = p.head().bias()[0];
        for (int j = 0; j < h.length; j++) {
            s += p.members() * (double) p.head().weight()[k * h.length + j] * h[j];
        }
        return s;
    }

    /**
     * One native call per layer for all members, by construction: every layer is one array with the
     * member axis inside it, so the parameter arrays (and the ops over them) do not grow with K.
     */
    @Test
    void membersLiveInsideEachLayersArraysNotInLoops() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork one = RegressorNetwork.of(m, PackedMlpNetwork.initial(encoding(4), List.of(8, 8), 1,
                    new Random(0)), 0);
            RegressorNetwork many = RegressorNetwork.of(m, PackedMlpNetwork.initial(encoding(4), List.of(8, 8), 16,
                    new Random(0)), 0);
            assertEquals(one.backboneParameters().size(), many.backboneParameters().size());
            assertEquals(4, many.backboneParameters().size(), "first layer and one packed layer, weight and bias each");
            assertEquals(new Shape(16, 8, 8), many.backboneParameters().get(2).getShape());
            assertEquals(new Shape(1, 16 * 8), many.head().weight().getShape());
            NDArray features = many.features(array(m, rows(7, 5)), true);
            assertEquals(new Shape(7, 16 * 8), features.getShape());
        }
    }

    @Test
    void membersStartApartAndEachGetsGradients() {
        int k = 4;
        int w = 6;
        PackedMlp packed = PackedMlpNetwork.initial(encoding(4), List.of(w, w), k, new Random(9));
        float[] first = packed.first().weight();
        int e = packed.encoding().outputs();
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, 0, w * e), Arrays.copyOfRange(first, w * e, 2 * w * e)));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork network = RegressorNetwork.of(m, packed, 0.1);
            NDArray x = array(m, rows(32, 6));
            try (GradientCollector collector = PyTorchEngine.get().newGradientCollector()) {
                collector.backward(network.predict(x, true).square().mean());
            }
            float[] g = network.backboneParameters().get(2).getGradient().toFloatArray(); // [K, w, w]
            for (int member = 0; member < k; member++) {
                double norm = 0;
                for (int i = member * w * w; i < (member + 1) * w * w; i++) {
                    norm += g[i] * g[i];
                }
                assertTrue(norm > 0, "member " + member + " gets a gradient");
            }
        }
    }

    @Test
    void snapshotRoundTripsTheWeights() {
        PackedMlp packed = PackedMlpNetwork.initial(encoding(5), List.of(6, 3), 2, new Random(11));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork network = RegressorNetwork.of(m, packed, 0);
            PackedMlp copy = (PackedMlp) network.snapshot();
            assertArrayEquals(packed.first().weight(), copy.first().weight());
            assertArrayEquals(packed.hidden().get(0).weight(), copy.hidden().get(0).weight());
            assertArrayEquals(packed.head().weight(), copy.head().weight());
            NDArray x = array(m, rows(9, 12));
            assertArrayEquals(network.predict(x, false).toFloatArray(),
                    RegressorNetwork.of(m, copy, 0).predict(x, false).toFloatArray());
        }
    }
}
