package io.hpl.server.oip;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.util.Arrays;

/** The protocol's tensor datatypes this server takes: numbers for numeric columns and x, BYTES for text. */
public enum TensorType {
    FP32(4), FP64(8), INT32(4), INT64(8), BYTES(-1);

    /** Bytes per element in raw_input_contents; BYTES elements carry their own 4-byte length. */
    private final int rawSize;

    TensorType(int rawSize) {
        this.rawSize = rawSize;
    }

    int rawSize() {
        return rawSize;
    }

    /** The datatype of input {@code input}, or INVALID_ARGUMENT naming the ones taken. */
    public static TensorType parse(String input, String datatype) {
        for (TensorType t : values()) {
            if (t.name().equals(datatype)) {
                return t;
            }
        }
        throw HplException.invalid("input " + EchoedInput.quote(input) + ": datatype " + EchoedInput.quote(datatype)
                + " is not taken; use one of " + Arrays.toString(values())
                + " (numbers for numeric columns and x, BYTES for categorical columns)");
    }
}
