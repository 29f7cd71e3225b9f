package io.hpl.server.data.image;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An uploaded archive read member by member, in archive order, as often as needed (a tar can only
 * be streamed, so the reader makes one pass for the index and one for the images). Members are
 * only ever read into memory, never written to disk, so names like "../x.png" are plain strings.
 * Directories, links and other special members are skipped. Any read failure is the archive's
 * fault: INVALID_ARGUMENT naming the member when there is one.
 */
final class ImageArchive {
    private final Path file;
    private final ArchiveFormat format;
    private final long maxMemberBytes;

    /** Receives one regular member; {@code content} is only valid during the call. */
    @FunctionalInterface
    interface MemberVisitor {
        void member(String name, InputStream content) throws IOException;
    }

    private ImageArchive(Path file, ArchiveFormat format, long maxMemberBytes) {
        this.file = file;
        this.format = format;
        this.maxMemberBytes = maxMemberBytes;
    }

    static ImageArchive open(Path file, long maxMemberBytes) {
        try {
            return new ImageArchive(file, ArchiveFormat.detect(() -> Files.newInputStream(file)), maxMemberBytes);
        } catch (IOException e) {
            throw HplException.invalid("cannot read the archive: " + e.getMessage());
        }
    }

    /**
     * A member's name as the index refers to it: without a leading "/" or "./", so archives made
     * with {@code tar -C dir .} or absolute names match a plain index.
     */
    static String normalise(String name) {
        String n = name;
        while (n.startsWith("/") || n.startsWith("./")) {
            n = n.startsWith("/") ? n.substring(1) : n.substring(2);
        }
        return n;
    }

    void forEachMember(MemberVisitor visitor) {
        String[] current = {null};
        try {
            if (format == ArchiveFormat.ZIP) {
                forEachZipMember(visitor, current);
            } else {
                forEachTarMember(visitor, current);
            }
        } catch (IOException e) {
            String where = current[0] == null ? "" : " at member '" + current[0] + "'";
            throw HplException.invalid("the " + describe() + " archive is corrupt" + where + ": " + e.getMessage());
        }
    }

    /** The member's bytes, refusing members that decompress to more than the limit. */
    byte[] readMember(String name, InputStream content) throws IOException {
        byte[] bytes = content.readNBytes((int) Math.min(maxMemberBytes + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > maxMemberBytes) {
            throw HplException.exhausted("file " + EchoedInput.quote(name) + " is larger than " + maxMemberBytes
                    + " bytes once decompressed (hpl.images.max-file-bytes)");
        }
        return bytes;
    }

    private void forEachZipMember(MemberVisitor visitor, String[] current) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                current[0] = entry.getName();
                try (InputStream in = zip.getInputStream(entry)) {
                    visitor.member(entry.getName(), in);
                }
            }
        }
    }

    private void forEachTarMember(MemberVisitor visitor, String[] current) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                format == ArchiveFormat.TAR_GZIP ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                current[0] = entry.getName();
                visitor.member(entry.getName(), tar);
            }
        }
    }

    private String describe() {
        return switch (format) {
            case ZIP -> "zip";
            case TAR -> "tar";
            case TAR_GZIP -> "gzip-compressed tar";
        };
    }
}
