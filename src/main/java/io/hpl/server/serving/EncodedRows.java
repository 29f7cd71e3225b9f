package io.hpl.server.serving;

/**
 * Rows already encoded as model inputs (the ONNX graph's {@code x}): {@code rows} rows of
 * {@code values.length / rows} values each, row-major; for an image model each row is one image,
 * channel-major (CHW). A missing numeric input is NaN with its {@code __missing} input 1, as for a
 * raw ONNX Runtime client.
 */
public record EncodedRows(int rows, float[] values) {
    public EncodedRows {
        if (rows < 0 || (rows > 0 && values.length % rows != 0)) {
            throw new IllegalArgumentException(values.length + " values do not make " + rows + " rows");
        }
    }

    public int width() {
        return rows == 0 ? 0 : values.length / rows;
    }
}
