package io.hpl.server.data.image;

import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * The archive kinds an image dataset may come in, told apart by their first bytes (never by a
 * file name, which an upload does not have): zip, tar (POSIX or GNU), or gzip-compressed tar.
 */
enum ArchiveFormat {
    ZIP, TAR, TAR_GZIP;

    private static final int TAR_MAGIC_OFFSET = 257;
    private static final byte[] TAR_MAGIC = "ustar".getBytes(StandardCharsets.US_ASCII);
    private static final int PROBE_BYTES = 512;

    /** Reads the first bytes of {@code content} (opened afresh by the caller) to tell the format. */
    static ArchiveFormat detect(InputStreamSource content) throws IOException {
        byte[] head;
        try (InputStream in = content.open()) {
            head = in.readNBytes(PROBE_BYTES);
        }
        if (head.length == 0) {
            throw HplException.invalid("the upload is empty: expected a zip or tar archive");
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            return ZIP; // local file header, or the end record of an empty zip
        }
        if (isTar(head)) {
            return TAR;
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
            byte[] inner;
            try (InputStream in = new GZIPInputStream(content.open())) {
                inner = in.readNBytes(PROBE_BYTES);
            } catch (IOException e) {
                throw HplException.invalid("the gzip data is corrupt: " + e.getMessage());
            }
            if (!isTar(inner)) {
                throw HplException.invalid("the upload is gzip-compressed but holds no tar archive");
            }
            return TAR_GZIP;
        }
        throw HplException.invalid("the upload is not a zip or tar archive (it starts with "
                + HexFormat.ofDelimiter(" ").formatHex(Arrays.copyOf(head, Math.min(head.length, 8))) + ")");
    }

    private static boolean isTar(byte[] head) {
        if (head.length < TAR_MAGIC_OFFSET + TAR_MAGIC.length) {
            return false;
        }
        return Arrays.equals(head, TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + TAR_MAGIC.length, TAR_MAGIC, 0, TAR_MAGIC.length);
    }

    /** Opens a fresh stream over the archive's bytes. */
    @FunctionalInterface
    interface InputStreamSource {
        InputStream open() throws IOException;
    }
}
