package io.hpl.server.training.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.hpl.server.data.ImageInput;
import io.hpl.server.model.ConvLayer;
import io.hpl.server.model.ConvNet;
import io.hpl.server.training.PyTorchEngine;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConvNetworkTest {
    private static final ImageInput MNIST = new ImageInput(1, 28, 28);

    @BeforeAll
    static void engine() {
        PyTorchEngine.get();
        JniUtils.setGradMode(false);
    }

    private static NDArray images(NDManager m, int n, ImageInput shape, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * shape.values()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(n, shape.values()));
    }

    @Test
    void smallCnnFlattensThreePooledBlocksIntoTheHead() {
        ConvNet net = ImageBackbone.SMALL_CNN.create(MNIST, new Random(1));
        assertEquals(32 * 3 * 3, net.features(), "28 -> 14 -> 7 -> 3 after three 2x2 pools, 32 channels");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork network = RegressorNetwork.of(m, net, 0.05);
            NDArray out = network.predict(images(m, 5, MNIST, 2), false);
            assertEquals(new Shape(5), out.getShape());
            // 3 convs with bias + head
            assertEquals(6, network.backboneParameters().size());
            assertTrue(network.buffers().isEmpty());
        }
    }

    @Test
    void resnet18HasTheTorchvisionLayoutAndUpdatesBatchNormStatisticsOnlyInTraining() {
        ConvNet net = ImageBackbone.RESNET18.create(new ImageInput(3, 32, 32), new Random(3));
        assertEquals(512, net.features());
        long residuals = net.backbone().stream().filter(l -> l instanceof ConvLayer.Residual).count();
        assertEquals(8, residuals, "4 stages of 2 basic blocks");
        long parameters = 0;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork network = RegressorNetwork.of(m, net, 0.0);
            for (NDArray p : network.parameters()) {
                parameters += p.size();
            }
            // torchvision's resnet18 has 11,689,512 parameters with a 1000-class 7x7 stem; ours: 3x3 stem, 1 output.
            assertEquals(11_168_832 + 513, parameters);
            float[] before = network.buffers().get(0).toFloatArray();
            network.predict(images(m, 4, new ImageInput(3, 32, 32), 4), false);
            assertArrayEquals(before, network.buffers().get(0).toFloatArray(), "eval mode leaves running stats alone");
            network.predict(images(m, 4, new ImageInput(3, 32, 32), 4), true);
            assertFalse(java.util.Arrays.equals(before, network.buffers().get(0).toFloatArray()), "train mode updates them");
            ConvNet snapshot = (ConvNet) network.snapshot();
            ConvLayer.BatchNorm2d bn = (ConvLayer.BatchNorm2d) snapshot.backbone().get(1);
            assertArrayEquals(network.buffers().get(0).toFloatArray(), bn.runningMean());
        }
    }

    @Test
    void gradientsReachEveryParameterAndTheSnapshotRoundTrips() {
        ConvNet net = ImageBackbone.SMALL_CNN.create(MNIST, new Random(5));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            RegressorNetwork network = RegressorNetwork.of(m, net, 0.0);
            NDArray x = images(m, 8, MNIST, 6);
            try (GradientCollector c = m.getEngine().newGradientCollector()) {
                c.backward(network.predict(x, true).square().mean());
            }
            for (NDArray p : network.parameters()) {
                assertNotEquals(0f, p.getGradient().abs().sum().getFloat(), "every parameter gets a gradient");
            }
            ConvNet copy = (ConvNet) network.snapshot();
            RegressorNetwork again = RegressorNetwork.of(m, copy, 0.0);
            assertArrayEquals(network.predict(x, false).toFloatArray(), again.predict(x, false).toFloatArray());
            List<ConvLayer> layers = copy.backbone();
            assertArrayEquals(((ConvLayer.Conv2d) net.backbone().get(0)).weight(), ((ConvLayer.Conv2d) layers.get(0)).weight());
        }
    }
}
