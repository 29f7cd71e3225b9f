package io.hpl.server.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** raw_input_contents as Triton's clients write them: little-endian numbers, length-prefixed BYTES. */
class RawTensorsTest {
    private static final long[] SHAPE = {2};

    private static ByteString le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return ByteString.copyFrom(b.array());
    }

    @Test
    void decodesEveryNumericDatatype() {
        assertArrayEquals(new double[] {1.5, -2}, RawTensors.decode("a", TensorType.FP32, SHAPE,
                le(8, b -> b.putFloat(1.5f).putFloat(-2f))).numbers());
        assertArrayEquals(new double[] {0.1, 3}, RawTensors.decode("a", TensorType.FP64, SHAPE,
                le(16, b -> b.putDouble(0.1).putDouble(3))).numbers());
        assertArrayEquals(new double[] {7, -8}, RawTensors.decode("a", TensorType.INT32, SHAPE,
                le(8, b -> b.putInt(7).putInt(-8))).numbers());
        assertArrayEquals(new double[] {1L << 40, 5}, RawTensors.decode("a", TensorType.INT64, SHAPE,
                le(16, b -> b.putLong(1L << 40).putLong(5))).numbers());
    }

    @Test
    void decodesLengthPrefixedUtf8Bytes() {
        byte[] red = "red".getBytes(StandardCharsets.UTF_8);
        byte[] grun = "grün".getBytes(StandardCharsets.UTF_8);
        InputTensor t = RawTensors.decode("c", TensorType.BYTES, SHAPE,
                le(8 + red.length + grun.length, b -> b.putInt(red.length).put(red).putInt(grun.length).put(grun)));
        assertArrayEquals(new String[] {"red", "grün"}, t.texts());
    }

    @Test
    void refusesBytesThatDoNotFitTheDatatype() {
        assertInvalid(() -> RawTensors.decode("a", TensorType.FP64, SHAPE, ByteString.copyFrom(new byte[12])),
                "'a'", "12 bytes", "FP64");
        assertInvalid(() -> RawTensors.decode("c", TensorType.BYTES, SHAPE, le(6, b -> b.putInt(9).put((byte) 1).put((byte) 2))),
                "'c'", "claims 9 bytes but 2 remain");
        assertInvalid(() -> RawTensors.decode("c", TensorType.BYTES, SHAPE, ByteString.copyFrom(new byte[] {1, 0})),
                "cut off");
        assertInvalid(() -> RawTensors.decode("c", TensorType.BYTES, SHAPE, le(6, b -> b.putInt(2).put((byte) 0xC3).put((byte) 0x28))),
                "not UTF-8");
    }

    @Test
    void encodesFp32LittleEndian() {
        ByteBuffer b = RawTensors.encode(new float[] {1.25f, -3f}).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.25f, b.getFloat());
        assertEquals(-3f, b.getFloat());
    }

    private static void assertInvalid(org.junit.jupiter.api.function.Executable call, String... words) {
        HplException e = assertThrows(HplException.class, call);
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should mention '" + w + "'");
        }
    }
}
