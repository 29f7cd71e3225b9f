package io.hpl.server.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.hpl.server.data.ImageInput;
import io.hpl.server.export.onnx.ModelProto;
import io.hpl.server.export.onnx.NodeProto;
import io.hpl.server.export.onnx.TensorProto;
import io.hpl.server.model.ConvNet;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.RandomImageModels;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.ViewLearnedVariance;
import io.hpl.server.serving.OnnxModelSession;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.TrainedModelForward;
import io.hpl.server.training.nn.ImageBackbone;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Image models: the exported graph, run by ONNX Runtime on [N, C, H, W] input, must compute what
 * the DJL (PyTorch) forward pass computes.
 *
 * <p>Tolerance: |DJL − ORT| ≤ 1e-4·(1 + |DJL|), ten times the tabular test's. Both sides are
 * float32 but sum in different orders (LibTorch's and ORT's conv kernels, which differ by CPU;
 * ORT also folds each batch norm into the conv before it). ResNet-18 stacks ~20 sums of up to
 * 3·3·512 = 4608 terms: about √4608·6e-8 ≈ 4e-6 relative rounding per layer, ≈ 2e-5 over 20
 * layers if they add up like a random walk; the bound leaves 5× on that. Measured on x86 CPU:
 * ≤ 1e-7 (1–2 ulp of the output). A real export mistake is far larger: dropping the batch
 * norms' running means moves the outputs by ~3e-2.
 */
class OnnxImageParityTest {
    private static final double TOLERANCE = 1e-4;
    private static final ImageInput GREY_28 = new ImageInput(1, 28, 28);
    private static final ImageInput RGB_32 = new ImageInput(3, 32, 32);
    private static final int VIEWS = 2;

    private static NDManager manager;
    private static OrtSessionFactory factory;

    @BeforeAll
    static void setUp() {
        manager = PyTorchEngine.get().newBaseManager();
        factory = new OrtSessionFactory(OrtSessionFactory.Device.CPU);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({"SMALL_CNN,constant,64", "SMALL_CNN,view,32", "RESNET18,constant,16", "RESNET18,view,8"})
    void ortMatchesDjl(ImageBackbone backbone, String variance, int n) throws Exception {
        TrainedModel model = model(backbone, variance.equals("view"));
        ImageInput image = model.schema().image();
        float[][] images = RandomImageModels.images(image, 17 + n, n);
        Predictions djl = TrainedModelForward.predict(manager, model, images);
        Predictions ort;
        try (OnnxModelSession session = factory.open(new OnnxModelWriter().write(model, Map.of()))) {
            assertEquals(image.values(), session.inputWidth());
            ort = session.predict(images);
        }
        assertEquals(n, ort.size());
        assertTrue(spread(djl.mean()) > 0, "the mean varies across images");
        if (variance.equals("view")) {
            assertTrue(spread(djl.variance()) > 0, "a learned variance varies across images");
        }
        double[] mean = worst(djl.mean(), ort.mean(), "mean");
        double[] var = worst(djl.variance(), ort.variance(), "variance");
        System.out.printf("%s %s %s N=%d mean range [%.4g, %.4g]: worst |DJL-ORT| mean %.3g (rel %.3g),"
                        + " variance %.3g (rel %.3g)%n", backbone, image, variance, n,
                Arrays.stream(djl.mean()).min().getAsDouble(), Arrays.stream(djl.mean()).max().getAsDouble(),
                mean[0], mean[1], var[0], var[1]);
    }

    @Test
    void graphTakesImagesAndHasTheBackboneOps() throws Exception {
        for (ImageBackbone backbone : ImageBackbone.values()) {
            TrainedModel model = model(backbone, false);
            ImageInput image = model.schema().image();
            byte[] onnx = new OnnxModelWriter().write(model, Map.of());
            try (OrtSession session = factory.createSession(onnx)) {
                TensorInfo x = (TensorInfo) session.getInputInfo().get("x").getInfo();
                assertArrayEquals(new long[] {-1, image.channels(), image.height(), image.width()}, x.getShape());
                assertTrue(session.getMetadata().getDescription().contains("[N, " + image.channels() + ", "
                        + image.height() + ", " + image.width() + "]"));
            }
            ModelProto proto = ModelProto.parseFrom(onnx);
            Set<String> ops = proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
            Set<String> expected = backbone == ImageBackbone.SMALL_CNN
                    ? Set.of("Conv", "Relu", "MaxPool", "Flatten", "Gemm")
                    : Set.of("Conv", "BatchNormalization", "Relu", "GlobalAveragePool", "Add", "Flatten", "Gemm");
            assertTrue(ops.containsAll(expected), backbone + " ops " + ops);
            long convs = proto.getGraph().getNodeList().stream().filter(node -> node.getOpType().equals("Conv")).count();
            long biased = proto.getGraph().getNodeList().stream()
                    .filter(node -> node.getOpType().equals("Conv") && node.getInputCount() == 3).count();
            // The small CNN's convs have biases; ResNet's (followed by batch norm) have none: 20 convs.
            assertEquals(backbone == ImageBackbone.SMALL_CNN ? convs : 0, biased);
            assertEquals(backbone == ImageBackbone.SMALL_CNN ? 3 : 20, convs);
        }
    }

    /**
     * The views block runs ResNet-18 a second time on the same initializers: the only float
     * constants it adds are the views' keep and offset, the learner g and the σ² scale.
     */
    @Test
    void viewVarianceSharesTheResNetWeights() throws Exception {
        TrainedModel constant = model(ImageBackbone.RESNET18, false);
        TrainedModel view = RandomModels.withViewVariance(constant, VIEWS, 23);
        long withoutViews = floatValues(ModelProto.parseFrom(new OnnxModelWriter().write(constant, Map.of())));
        long withViews = floatValues(ModelProto.parseFrom(new OnnxModelWriter().write(view, Map.of())));
        ViewLearnedVariance variance = (ViewLearnedVariance) view.variance();
        long learner = variance.learner().layers().stream().mapToLong(l -> l.weight().length + l.bias().length).sum();
        long added = 2L * VIEWS * constant.schema().encodedWidth() + learner + 1;
        assertEquals(withoutViews + added, withViews);
        long regressorValues = ((ConvNet) constant.regressor()).features() + 1; // the head alone; the backbone is far more
        assertTrue(withoutViews > 1_000_000 && regressorValues < withoutViews);
    }

    private static TrainedModel model(ImageBackbone backbone, boolean viewVariance) {
        ImageInput image = backbone == ImageBackbone.SMALL_CNN ? GREY_28 : RGB_32;
        TrainedModel model = RandomImageModels.model(backbone, image, 5);
        return viewVariance ? RandomModels.withViewVariance(model, VIEWS, 9) : model;
    }

    private static long floatValues(ModelProto proto) {
        return proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE)
                .mapToLong(t -> t.getDimsList().stream().reduce(1L, (a, b) -> a * b))
                .sum();
    }

    private static double spread(double[] values) {
        return Arrays.stream(values).max().getAsDouble() - Arrays.stream(values).min().getAsDouble();
    }

    /** Asserts |a − b| ≤ TOLERANCE·(1 + |a|) elementwise; returns the worst |a − b| and |a − b|/(1 + |a|). */
    private static double[] worst(double[] a, double[] b, String what) {
        double abs = 0;
        double rel = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - b[i]);
            assertTrue(Double.isFinite(a[i]) && Double.isFinite(b[i]), what + " row " + i + " not finite");
            assertTrue(diff <= TOLERANCE * (1 + Math.abs(a[i])), what + " row " + i + ": DJL " + a[i] + " vs ORT " + b[i]);
            abs = Math.max(abs, diff);
            rel = Math.max(rel, diff / (1 + Math.abs(a[i])));
        }
        return new double[] {abs, rel};
    }
}
