package io.hpl.server.benchmark;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Grey images from an IDX file (the MNIST format): big-endian int32 magic 2051, count, rows, cols,
 * then count · rows · cols unsigned bytes, image after image, row-major.
 */
record IdxImages(int count, int rows, int cols, byte[] pixels) {
    static final int MAGIC = 2051;
    /** Larger sides are not an image set this benchmark reads; a corrupt header would ask for gigabytes. */
    static final int MAX_SIDE = 1024;

    IdxImages {
        if (pixels.length != (long) count * rows * cols) {
            throw new IllegalArgumentException(pixels.length + " pixels for " + count + " images of " + rows + "x" + cols);
        }
    }

    /**
     * Reads the header and the first {@code min(limit, count)} images of an uncompressed IDX stream
     * (wrap a .gz file in a GZIPInputStream); the rest of the stream is left unread.
     *
     * @throws IOException on a wrong magic, a bad size or a stream shorter than its header says
     */
    static IdxImages read(InputStream idx, int limit) throws IOException {
        DataInputStream in = new DataInputStream(idx);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException("not an IDX image file: magic " + magic + ", expected " + MAGIC
                    + (magic == 2049 ? " (2049 is a label file)" : ""));
        }
        int count = in.readInt();
        int rows = in.readInt();
        int cols = in.readInt();
        if (count < 0 || rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new IOException("bad IDX image header: " + count + " images of " + rows + "x" + cols);
        }
        int n = Math.min(Math.max(limit, 0), count);
        if ((long) n * rows * cols > Integer.MAX_VALUE - 8) {
            throw new IOException(n + " images of " + rows + "x" + cols + " do not fit one array");
        }
        byte[] pixels = new byte[n * rows * cols];
        try {
            in.readFully(pixels);
        } catch (EOFException e) {
            throw new IOException("IDX file ends before its " + count + " images of " + rows + "x" + cols, e);
        }
        return new IdxImages(n, rows, cols, pixels);
    }

    /** Pixel (r, c) of image i as 0–255. */
    int pixel(int i, int r, int c) {
        return pixels[(i * rows + r) * cols + c] & 0xFF;
    }
}
