package io.hpl.server.data;

/**
 * Consecutive rows of a dataset read together, encoded with one schema: {@code index[i]} is the row's
 * 0-based index among the data rows of the uploaded file, {@code ids[i]} the text of an id column
 * (null when none was asked for), {@code x[i]} its encoded inputs and {@code y[i]} its target (NaN
 * when unlabelled).
 */
public record RowChunk(long[] index, String[] ids, float[][] x, double[] y) {
    public int rows() {
        return index.length;
    }
}
