package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NativeArraysTest {
    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();

    /** Collects until at most {@code atMost} direct buffers are left: the Cleaner has freed the unreachable ones. */
    private static void freeUnreachableDirectBuffers(long atMost) {
        for (int i = 0; DIRECT.getCount() > atMost; i++) {
            assertTrue(i < 1000, DIRECT.getCount() + " direct buffers, expected at most " + atMost);
            System.gc();
        }
    }

    /**
     * Autograd keeps mul's operand for the backward pass. A constant that lived in a Java buffer
     * (DJL's mul(3f)) is freed by a collection in between, and the gradient then reads freed memory.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"})
    void aScalarOperandSurvivesACollectionBetweenForwardAndBackward(DataType type) {
        Engine engine = PyTorchEngine.get();
        JniUtils.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(new double[] {1, 2, 3}).toType(type, false);
            x.setRequiresGradient(true);
            long live = DIRECT.getCount();
            List<ByteBuffer> reuse = new ArrayList<>();
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray scalar = NativeArrays.scalar(x, 3);
                assertEquals(type, scalar.getDataType());
                assertEquals(0, scalar.getShape().dimension());
                NDArray y = x.sum().mul(scalar);
                scalar.close(); // as a step's scope would: only the graph holds the operand now
                freeUnreachableDirectBuffers(live);
                for (int i = 0; i < 64; i++) { // freed small blocks are handed out again, then overwritten
                    reuse.add(ByteBuffer.allocateDirect(Double.BYTES).putDouble(0, 1e30));
                }
                collector.backward(y);
            }
            assertArrayEquals(new double[] {3, 3, 3}, x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            assertEquals(64, reuse.size());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"})
    void aScalarHasTheValueInTheDtypeOfItsModel(DataType type) {
        PyTorchEngine.get();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray like = m.create(new double[] {1}).toType(type, false);
            NDArray tenth = NativeArrays.scalar(like, 0.1);
            double expected = type == DataType.FLOAT64 ? 0.1 : (float) 0.1;
            assertEquals(expected, tenth.toType(DataType.FLOAT64, false).getDouble());
            assertEquals(like.getManager(), tenth.getManager());
        }
    }
}
