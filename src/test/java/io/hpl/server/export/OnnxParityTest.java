package io.hpl.server.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.hpl.server.export.onnx.ModelProto;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.TrainedModelForward;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The exported graph, run by ONNX Runtime, must compute what the DJL forward pass computes. */
class OnnxParityTest {
    private static final Map<String, String> METADATA = Map.of(
            "hpl.model_id", "m-0001",
            "hpl.dataset_sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "hpl.trained_at", "2025-01-01T00:00:00Z",
            "hpl.note", "σ² in squared target units");

    private static final TrainedModel MODEL = RandomModels.model(42);
    private static NDManager manager;
    private static byte[] onnx;
    private static OrtSessionFactory factory;

    @BeforeAll
    static void setUp() {
        manager = PyTorchEngine.get().newBaseManager();
        onnx = new OnnxModelWriter().write(MODEL, METADATA);
        factory = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 256, 1000})
    void ortMatchesDjl(int n) throws Exception {
        float[][] rows = RandomModels.rows(MODEL, 7 + n, n);
        Predictions djl = TrainedModelForward.predict(manager, MODEL, rows);
        Predictions ort;
        try (OnnxModelSession session = factory.open(onnx)) {
            ort = session.predict(rows);
        }
        assertEquals(n, djl.size());
        assertEquals(n, ort.size());
        double maxMean = maxDiff(djl.mean(), ort.mean(), "mean");
        double maxVariance = maxDiff(djl.variance(), ort.variance(), "variance");
        System.out.printf("N=%d max |DJL-ORT|: mean %.3g (max relative %.3g), variance %.3g%n",
                n, maxMean, maxRelative(djl.mean(), ort.mean()), maxVariance);
    }

    @Test
    void modelCarriesMetadataNamesAndShapes() throws Exception {
        ModelProto proto = ModelProto.parseFrom(onnx);
        assertEquals(8, proto.getIrVersion());
        assertEquals(17, proto.getOpsetImport(0).getVersion());

        int width = MODEL.schema().encodedWidth();
        try (OrtSession session = factory.createSession(onnx)) {
            OnnxModelMetadata metadata = session.getMetadata();
            assertEquals(METADATA, metadata.getCustomMetadata());
            assertEquals("hpl-server", metadata.getProducerName());
            assertTrue(metadata.getDescription().contains(MODEL.variance().definition()));

            assertEquals(List.of("x"), List.copyOf(session.getInputNames()));
            assertEquals(List.of("mean", "variance"), List.copyOf(session.getOutputNames()));
            assertFloatTensor(session.getInputInfo().get("x"), -1, width);
            assertFloatTensor(session.getOutputInfo().get("mean"), -1);
            assertFloatTensor(session.getOutputInfo().get("variance"), -1);
        }
    }

    /** The learned σ² variants (HPL's view-based g over fixed strong views, and the row-based g). */
    @ParameterizedTest
    @CsvSource({"view,1", "view,256", "row,1", "row,256"})
    void ortMatchesDjlForLearnedVariance(String kind, int n) throws Exception {
        TrainedModel model = RandomModels.withLearnedVariance(MODEL, kind.equals("view"), 5);
        byte[] bytes = new OnnxModelWriter().write(model, METADATA);
        float[][] rows = RandomModels.rows(model, 11 + n, n);
        Predictions djl = TrainedModelForward.predict(manager, model, rows);
        Predictions ort;
        try (OnnxModelSession session = factory.open(bytes)) {
            ort = session.predict(rows);
        }
        double maxMean = maxDiff(djl.mean(), ort.mean(), "mean");
        double maxVariance = maxDiff(djl.variance(), ort.variance(), "variance");
        double spread = java.util.Arrays.stream(djl.variance()).max().getAsDouble()
                - java.util.Arrays.stream(djl.variance()).min().getAsDouble();
        assertTrue(n == 1 || spread > 0, "a learned variance varies across rows");
        System.out.printf("%s N=%d max |DJL-ORT|: mean %.3g, variance %.3g (max relative %.3g)%n",
                kind, n, maxMean, maxVariance, maxRelative(djl.variance(), ort.variance()));
    }

    /**
     * Missing cells (NaN plus indicator) through every variance variant: the graph imputes with the
     * standardiser's fill as TrainedModelForward does, and a NaN row scores as the row holding
     * the fill value.
     */
    @ParameterizedTest
    @ValueSource(strings = {"constant", "view", "row"})
    void ortMatchesDjlWithMissingCells(String kind) throws Exception {
        TrainedModel base = RandomModels.model(43, RandomModels.SCHEMA_WITH_MISSING);
        TrainedModel model = kind.equals("constant") ? base : RandomModels.withLearnedVariance(base, kind.equals("view"), 6);
        byte[] bytes = new OnnxModelWriter().write(model, METADATA);
        float[][] rows = RandomModels.rows(model, 99, 300, 0.3);
        long nanCells = java.util.Arrays.stream(rows).flatMapToDouble(r -> {
            double[] d = new double[r.length];
            for (int j = 0; j < r.length; j++) {
                d[j] = r[j];
            }
            return java.util.Arrays.stream(d);
        }).filter(Double::isNaN).count();
        assertTrue(nanCells > 100, "rows hold missing cells: " + nanCells);
        Predictions djl = TrainedModelForward.predict(manager, model, rows);
        Predictions ort;
        try (OnnxModelSession session = factory.open(bytes)) {
            ort = session.predict(rows);
        }
        double maxMean = maxDiff(djl.mean(), ort.mean(), "mean");
        double maxVariance = maxDiff(djl.variance(), ort.variance(), "variance");
        System.out.printf("missing, %s σ², N=300, %d NaN cells: max |DJL-ORT| mean %.3g, variance %.3g%n",
                kind, nanCells, maxMean, maxVariance);

        float[][] filled = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            filled[i] = rows[i].clone();
            for (int j = 0; j < filled[i].length; j++) {
                if (Float.isNaN(filled[i][j])) {
                    filled[i][j] = model.features().missingFill()[j];
                }
            }
        }
        try (OnnxModelSession session = factory.open(bytes)) {
            assertArrayEquals(ort.mean(), session.predict(filled).mean(), 0.0, "NaN scores as the fill value");
        }
    }

    /** Only a model whose data had missing values gets the imputation nodes; the others' graphs are unchanged. */
    @Test
    void imputationNodesOnlyWhereMissingValuesWereSeen() throws Exception {
        ModelProto without = ModelProto.parseFrom(onnx);
        ModelProto with = ModelProto.parseFrom(new OnnxModelWriter().write(
                RandomModels.model(43, RandomModels.SCHEMA_WITH_MISSING), METADATA));
        assertTrue(without.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("IsNaN")));
        assertEquals(1, with.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("IsNaN")).count());
        assertTrue(with.getDocString().contains("tiny__missing") && with.getDocString().contains("NaN"), with.getDocString());
    }

    /** The second regressor pass over the strong views shares the mean's initializers. */
    @Test
    void viewVarianceReusesTheRegressorWeights() throws Exception {
        TrainedModel model = RandomModels.withLearnedVariance(MODEL, true, 5);
        ModelProto proto = ModelProto.parseFrom(new OnnxModelWriter().write(model, METADATA));
        long weightInitializers = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().startsWith("regressor_layer") || t.getName().startsWith("views_regressor"))
                .count();
        assertEquals(2L * ((io.hpl.server.model.Mlp) MODEL.regressor()).layers().size(), weightInitializers);
    }

    private static void assertFloatTensor(NodeInfo info, long... shape) {
        TensorInfo tensor = (TensorInfo) info.getInfo();
        assertEquals(OnnxJavaType.FLOAT, tensor.type);
        assertArrayEquals(shape, tensor.getShape());
    }

    private static double maxRelative(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]) / (1 + Math.abs(a[i])));
        }
        return max;
    }

    /** Asserts |a − b| ≤ 1e-5·(1 + |a|) elementwise and returns the largest |a − b|. */
    private static double maxDiff(double[] a, double[] b, String what) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - b[i]);
            assertTrue(Double.isFinite(a[i]) && Double.isFinite(b[i]), what + " row " + i + " not finite");
            assertTrue(diff <= 1e-5 * (1 + Math.abs(a[i])),
                    what + " row " + i + ": DJL " + a[i] + " vs ORT " + b[i]);
            max = Math.max(max, diff);
        }
        return max;
    }
}
