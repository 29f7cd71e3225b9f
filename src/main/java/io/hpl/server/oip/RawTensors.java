package io.hpl.server.oip;

import com.google.protobuf.ByteString;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The protocol's raw_input_contents / raw_output_contents: one byte string per tensor, elements
 * little-endian in row-major order; a BYTES element is a 4-byte little-endian length and its bytes.
 * Triton's clients send tensors this way.
 */
final class RawTensors {
    private RawTensors() {
    }

    static InputTensor decode(String name, TensorType type, long[] shape, ByteString raw) {
        ByteBuffer in = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (type == TensorType.BYTES) {
            java.util.List<String> texts = new java.util.ArrayList<>();
            while (in.hasRemaining()) {
                if (in.remaining() < 4) {
                    throw bad(name, "a BYTES element's 4-byte length is cut off");
                }
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw bad(name, "a BYTES element claims " + Integer.toUnsignedString(length) + " bytes but "
                            + in.remaining() + " remain");
                }
                ByteBuffer element = in.slice().limit(length);
                in.position(in.position() + length);
                texts.add(utf8(name, element));
            }
            return InputTensor.texts(name, shape, texts.toArray(String[]::new));
        }
        if (in.remaining() % type.rawSize() != 0) {
            throw bad(name, in.remaining() + " bytes are not a whole number of " + type + " elements ("
                    + type.rawSize() + " bytes each)");
        }
        double[] values = new double[in.remaining() / type.rawSize()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (type) {
                case FP32 -> in.getFloat();
                case FP64 -> in.getDouble();
                case INT32 -> in.getInt();
                case INT64 -> in.getLong();
                case BYTES -> throw new IllegalStateException();
            };
        }
        return InputTensor.numbers(name, type, shape, values);
    }

    /** FP32 values as one raw output. */
    static ByteString encode(float[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(values);
        return ByteString.copyFrom(out);
    }

    /** Text as UTF-8, refusing malformed bytes instead of replacing them (a category must match exactly). */
    static String utf8(String input, ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw bad(input, "a BYTES element is not UTF-8 text");
        }
    }

    private static HplException bad(String input, String problem) {
        return HplException.invalid("raw_input_contents of input " + EchoedInput.quote(input) + ": " + problem);
    }
}
