package io.hpl.server.training.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * A run's state after {@code iteration} of {@code totalIterations} steps: enough to continue exactly
 * (see {@link RunState}). The file format, version {@value #FORMAT_VERSION}, all big-endian:
 * the magic {@code HPLCKPT1}, the format version (int), method (UTF), iteration, total (longs),
 * written-at (UTF, ISO-8601), the part count (int), then per part its name (UTF), length (int) and
 * bytes, and last a CRC-32 of everything before it (long). A file of another version, a bad magic
 * or a wrong CRC is refused; the run then starts over.
 */
public record Checkpoint(String method, long iteration, long totalIterations, String writtenAt,
                         Map<String, byte[]> parts) {
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = {'H', 'P', 'L', 'C', 'K', 'P', 'T', '1'};

    public Checkpoint {
        parts = new LinkedHashMap<>(parts);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CRC32 crc = new CRC32();
        // The CRC is computed as the bytes go out, so a large checkpoint is not copied once more for it.
        try (DataOutputStream out = new DataOutputStream(new CheckedOutputStream(bytes, crc))) {
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeUTF(method);
            out.writeLong(iteration);
            out.writeLong(totalIterations);
            out.writeUTF(writtenAt);
            out.writeInt(parts.size());
            for (Map.Entry<String, byte[]> e : parts.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            out.flush();
            new DataOutputStream(bytes).writeLong(crc.getValue()); // past the checked stream: not part of its own CRC
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Checkpoint decode(byte[] file) {
        if (file.length < MAGIC.length + Long.BYTES || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
            throw new IncompatibleCheckpointException("not a checkpoint file (bad magic)");
        }
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - Long.BYTES);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(file))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IncompatibleCheckpointException("checkpoint format " + version + ", this server reads "
                        + FORMAT_VERSION);
            }
            String method = in.readUTF();
            long iteration = in.readLong();
            long total = in.readLong();
            String writtenAt = in.readUTF();
            int count = in.readInt();
            Map<String, byte[]> parts = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                byte[] part = new byte[in.readInt()];
                in.readFully(part);
                parts.put(name, part);
            }
            if (in.readLong() != crc.getValue()) {
                throw new IncompatibleCheckpointException("checkpoint CRC mismatch (a damaged file)");
            }
            return new Checkpoint(method, iteration, total, writtenAt, parts);
        } catch (IOException e) {
            throw new IncompatibleCheckpointException("truncated checkpoint: " + e.getMessage());
        }
    }
}
