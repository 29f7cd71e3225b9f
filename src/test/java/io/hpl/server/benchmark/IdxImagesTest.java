package io.hpl.server.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class IdxImagesTest {
    /** An IDX image file: header, then the given bytes (which may be fewer than the header says). */
    private static byte[] idx(int magic, int count, int rows, int cols, int... pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int p : pixels) {
            out.writeByte(p);
        }
        return bytes.toByteArray();
    }

    @Test
    void readsHeaderAndUnsignedPixelsInRowMajorOrder() throws IOException {
        IdxImages images = IdxImages.read(new ByteArrayInputStream(idx(2051, 2, 2, 3,
                0, 1, 2, 3, 4, 5, 255, 128, 7, 8, 9, 10)), Integer.MAX_VALUE);
        assertEquals(2, images.count());
        assertEquals(2, images.rows());
        assertEquals(3, images.cols());
        assertEquals(5, images.pixel(0, 1, 2));
        assertEquals(255, images.pixel(1, 0, 0)); // unsigned, not −1
        assertEquals(128, images.pixel(1, 0, 1));
        assertEquals(10, images.pixel(1, 1, 2));
    }

    @Test
    void limitReadsOnlyAPrefix() throws IOException {
        IdxImages images = IdxImages.read(new ByteArrayInputStream(idx(2051, 3, 1, 2, 1, 2, 3, 4, 5, 6)), 2);
        assertEquals(2, images.count());
        assertEquals(4, images.pixel(1, 0, 1));
    }

    @Test
    void rejectsLabelFilesBadSizesAndTruncation() {
        IOException label = assertThrows(IOException.class,
                () -> IdxImages.read(new ByteArrayInputStream(idx(2049, 1, 1, 1, 0)), 10));
        assertTrue(label.getMessage().contains("label file"), label.getMessage());
        assertThrows(IOException.class, () -> IdxImages.read(new ByteArrayInputStream(idx(2051, -1, 2, 2)), 10));
        assertThrows(IOException.class, () -> IdxImages.read(new ByteArrayInputStream(idx(2051, 1, 0, 2)), 10));
        assertThrows(IOException.class, () -> IdxImages.read(new ByteArrayInputStream(idx(2051, 1, 5000, 2)), 10));
        assertThrows(IOException.class, () -> IdxImages.read(new ByteArrayInputStream(idx(2051, 2, 2, 2, 1, 2, 3)), 10));
    }

    @Test
    void committedFashionMnistFilesHaveTheDocumentedHeaders() throws IOException {
        for (String file : new String[] {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"}) {
            try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/benchmark/fashion-mnist/" + file))) {
                IdxImages images = IdxImages.read(in, 0);
                assertEquals(0, images.count());
                assertEquals(28, images.rows(), file);
                assertEquals(28, images.cols(), file);
            }
        }
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream(
                "/benchmark/fashion-mnist/t10k-images-idx3-ubyte.gz"))) {
            // The whole test file: the count in its header must match the bytes that follow.
            assertEquals(10_000, IdxImages.read(in, Integer.MAX_VALUE).count());
            assertEquals(-1, in.read(), "bytes after the last image");
        }
    }
}
