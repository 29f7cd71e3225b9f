package io.hpl.server.store;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.Table;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A decoded table on disk, kept beside an image archive so that loading the dataset (every
 * training job, every Evaluate) reads floats instead of decoding every image again, and always
 * sees the exact pixels the upload was validated with. Layout, big-endian: magic "HPLT", format
 * version, rows, values per row, the targets (doubles, NaN = unlabelled), then the rows (floats).
 */
final class TableFile {
    private static final int MAGIC = 0x48504C54; // "HPLT"
    private static final int VERSION = 1;

    private TableFile() {
    }

    /** Writes the table and flushes it to disk, so a rename can publish it. */
    static void write(Path file, Table table) throws IOException {
        int width = table.schema().encodedWidth();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(16 + 8 * table.rows());
            head.putInt(MAGIC).putInt(VERSION).putInt(table.rows()).putInt(width);
            for (double y : table.y()) {
                head.putDouble(y);
            }
            writeFully(out, head.flip());
            ByteBuffer row = ByteBuffer.allocate(4 * width);
            for (float[] x : table.x()) {
                row.clear();
                row.asFloatBuffer().put(x);
                writeFully(out, row);
            }
            out.force(true);
        }
    }

    /** Reads a table written by {@link #write}; its rows must have {@code schema}'s width. */
    static Table read(Path file, DatasetSchema schema) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException(file.getFileName() + " is not a table file of this version");
            }
            int rows = in.readInt();
            int width = in.readInt();
            if (width != schema.encodedWidth()) {
                throw new IOException(file.getFileName() + " has rows of " + width + " values, the schema " + schema.encodedWidth());
            }
            double[] y = new double[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = in.readDouble();
            }
            float[][] x = new float[rows][width];
            byte[] bytes = new byte[4 * width];
            for (int i = 0; i < rows; i++) {
                in.readFully(bytes);
                ByteBuffer.wrap(bytes).asFloatBuffer().get(x[i]);
            }
            return new Table(schema, x, y);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
