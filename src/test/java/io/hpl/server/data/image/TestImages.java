package io.hpl.server.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Images and archives made in memory for tests: known pixel patterns, encoded as PNG or JPEG. */
public final class TestImages {
    private TestImages() {
    }

    /** A grey image whose pixel (y, x) is {@code (seed + 16 y + x) mod 256}. */
    public static BufferedImage grey(int height, int width, int seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, greyValue(y, x, seed));
            }
        }
        return image;
    }

    public static int greyValue(int y, int x, int seed) {
        return (seed + 16 * y + x) & 0xFF;
    }

    /** An RGB image with red = 10 x + seed, green = 10 y, blue = 200 - x - y (mod 256). */
    public static BufferedImage rgb(int height, int width, int seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] c = rgbValue(y, x, seed);
                image.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
            }
        }
        return image;
    }

    public static int[] rgbValue(int y, int x, int seed) {
        return new int[] {(10 * x + seed) & 0xFF, (10 * y) & 0xFF, (200 - x - y) & 0xFF};
    }

    /** One colour everywhere. */
    public static BufferedImage solid(int height, int width, int r, int g, int b) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    public static byte[] png(BufferedImage image) {
        return encode(image, "png");
    }

    public static byte[] jpeg(BufferedImage image) {
        return encode(image, "jpeg");
    }

    private static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Archive members in insertion order; names may repeat via {@link #add}. */
    public static final class Members {
        private final java.util.List<Map.Entry<String, byte[]>> entries = new java.util.ArrayList<>();

        public Members add(String name, byte[] content) {
            entries.add(Map.entry(name, content));
            return this;
        }

        public Members add(String name, String text) {
            return add(name, text.getBytes(StandardCharsets.UTF_8));
        }

        public byte[] zip() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                    for (Map.Entry<String, byte[]> e : entries) {
                        zip.putNextEntry(new ZipEntry(e.getKey()));
                        zip.write(e.getValue());
                        zip.closeEntry();
                    }
                }
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public byte[] tar() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                writeTar(bytes);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public byte[] tarGz() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                    writeTar(gz);
                }
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void writeTar(java.io.OutputStream out) throws IOException {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Map.Entry<String, byte[]> e : entries) {
                    TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true); // keep names as given, "../" included
                    entry.setSize(e.getValue().length);
                    tar.putArchiveEntry(entry);
                    tar.write(e.getValue());
                    tar.closeArchiveEntry();
                }
            }
        }
    }

}
