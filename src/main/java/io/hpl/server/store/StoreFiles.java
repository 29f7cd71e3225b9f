package io.hpl.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * The file operations that make publishing atomic: everything is written under {@code tmp/},
 * flushed to disk, then moved into place with one atomic rename, so a reader sees all or nothing
 * and a crash leaves only a leftover in {@code tmp/}, removed at the next start.
 */
final class StoreFiles {
    private StoreFiles() {
    }

    static Path newTempDir(Path tmpRoot) throws IOException {
        Files.createDirectories(tmpRoot);
        return Files.createDirectory(tmpRoot.resolve(UUID.randomUUID().toString()));
    }

    static void writeDurably(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true); // on disk before the rename publishes it
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Replaces a small file all at once: written aside in {@code tmpRoot}, flushed, then renamed over the old one. */
    static void replaceAtomically(Path file, byte[] content, Path tmpRoot) throws IOException {
        Files.createDirectories(tmpRoot);
        Files.createDirectories(file.getParent());
        Path aside = tmpRoot.resolve(UUID.randomUUID() + ".part");
        writeDurably(aside, content);
        Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Moves a published directory out of sight first, then deletes it at leisure. */
    static void retire(Path published, Path tmpRoot) throws IOException {
        Path aside = tmpRoot.resolve(UUID.randomUUID().toString());
        Files.createDirectories(tmpRoot);
        Files.move(published, aside, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(aside);
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** Removes what a crash may have left half-written. */
    static void clearTemp(Path tmpRoot) {
        try {
            Files.createDirectories(tmpRoot);
            try (var entries = Files.list(tmpRoot)) {
                entries.forEach(StoreFiles::deleteRecursively);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + tmpRoot, e);
        }
    }
}
