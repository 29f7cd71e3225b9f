package io.hpl.server.store.objects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory, the key being the relative path (the layout the store has
 * always had). Every write goes to a file aside in {@code tmp/objects/}, is flushed, and then takes
 * its place with one atomic rename; {@link #putIfAbsent} uses a hard link instead, which fails when
 * the name is taken, so two processes on one volume never both create the same object.
 * {@link #replaceIf} compares and replaces holding {@code tmp/replace.lock} (a file lock, which
 * processes sharing the volume respect, inside a lock of this JVM's), with the content's SHA-256 as
 * the token.
 */
public final class LocalObjectStore implements ObjectStore {
    private final Path root;
    private final TempArea tmp;

    /** One lock per lock file in this JVM: a file lock guards against other processes only. */
    private static final ConcurrentMap<Path, ReentrantLock> REPLACE_LOCKS = new ConcurrentHashMap<>();

    private final Path replaceLock;

    public LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.replaceLock = this.root.resolve("tmp").resolve("replace.lock");
        this.tmp = new TempArea(this.root.resolve("tmp").resolve("objects"));
        // Where earlier versions of the store staged their writes: a crash may have left files there.
        new TempArea(this.root.resolve("tmp").resolve("models"));
        new TempArea(this.root.resolve("tmp").resolve("jobs"));
    }

    public Path root() {
        return root;
    }

    @Override
    public void put(String key, byte[] content) {
        Path target = file(key);
        Path aside = tmp.newPath(".part");
        try {
            writeDurably(aside, content);
            moveIntoPlace(aside, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            deleteQuietly(aside);
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) {
        Path target = file(key);
        Path aside = tmp.newPath(".part");
        try {
            writeDurably(aside, content);
            Files.createDirectories(target.getParent());
            try {
                try {
                    Files.createLink(target, aside); // link(2): atomic, and fails if the name exists
                } catch (NoSuchFileException e) {
                    Files.createDirectories(target.getParent()); // emptied and removed by a delete meanwhile
                    Files.createLink(target, aside);
                }
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                // No hard links on this file system: the check and the rename are two steps, which
                // still holds within one process (the stores serialise their writers).
                if (Files.exists(target)) {
                    return false;
                }
                Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            deleteQuietly(aside);
        }
    }

    @Override
    public void putFile(String key, Path file) {
        Path target = file(key);
        try {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true); // on disk before the rename publishes it
            }
            moveIntoPlace(file, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path file = file(key);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                return Optional.empty();
            }
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public Optional<Versioned> getVersioned(String key) {
        return get(key).map(content -> new Versioned(content, digest(content)));
    }

    @Override
    public boolean replaceIf(String key, String token, byte[] content) {
        ReentrantLock inJvm = REPLACE_LOCKS.computeIfAbsent(replaceLock, p -> new ReentrantLock());
        inJvm.lock();
        try {
            Files.createDirectories(replaceLock.getParent());
            try (FileChannel channel = FileChannel.open(replaceLock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                Optional<byte[]> now = get(key);
                boolean unchanged = token == null ? now.isEmpty() : now.isPresent() && digest(now.get()).equals(token);
                if (unchanged) {
                    put(key, content);
                }
                return unchanged;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file(key), e);
        } finally {
            inJvm.unlock();
        }
    }

    private static String digest(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    @Override
    public Optional<String> stat(String key) {
        if (!file(key).toFile().exists()) {
            // Most models have no aliases file: java.io's stat answers without the NoSuchFileException that
            // NIO throws (and fills a stack trace for) on every Predict of such a model.
            return Optional.empty();
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file(key), BasicFileAttributes.class);
            return a.isRegularFile() ? Optional.of(stamp(a)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(key), e);
        }
    }

    @Override
    public boolean statIsCheap() {
        return true;
    }

    @Override
    public Optional<Path> localFile(String key) {
        Path file = file(key);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public List<StoredObject> list(String prefix) {
        Path dir = dir(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<StoredObject> found = new ArrayList<>();
        try {
            // the walk hands over each file's attributes: no second stat per file
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                    if (a.isRegularFile()) {
                        found.add(new StoredObject(keyOf(file), stamp(a)));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // deleted while listed
                    }
                    throw e;
                }
            });
        } catch (NoSuchFileException e) {
            return List.of(); // deleted while listed
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        found.sort(java.util.Comparator.comparing(StoredObject::key));
        return found;
    }

    @Override
    public List<String> children(String prefix) {
        Path dir = dir(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Deletes the file, and the folders it leaves empty (as in S3, where a prefix without objects is no folder). */
    @Override
    public void delete(String key) {
        Path file = file(key);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
        // never a top-level folder (models/, datasets/…)
        for (Path dir = file.getParent(); dir.getParent() != null && !dir.getParent().equals(root); dir = dir.getParent()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                return; // not empty (or written meanwhile): it stays
            }
        }
    }

    /** Renames {@code from} to {@code target}, creating its folder (again, if a delete removed it meanwhile). */
    private static void moveIntoPlace(Path from, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            Files.createDirectories(target.getParent());
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Renames the folder aside first, so it vanishes at once, then deletes it at leisure. */
    @Override
    public void deletePrefix(String prefix) {
        Path dir = dir(prefix);
        Path aside = tmp.newPath(".deleted");
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
        try {
            TempArea.deleteRecursively(aside);
        } catch (UncheckedIOException e) {
            // out of sight already; the next start removes what is left
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private Path file(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")
                || List.of(key.split("/")).stream().anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
            throw new IllegalArgumentException("not an object key: " + key); // the stores validate names first
        }
        return root.resolve(key);
    }

    private Path dir(String prefix) {
        if (prefix.isEmpty()) {
            return root;
        }
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix ends in '/': " + prefix);
        }
        return file(prefix.substring(0, prefix.length() - 1));
    }

    /** Every write is a rename, so a new file identity (inode) as well as a new time. */
    private static String stamp(BasicFileAttributes a) {
        return a.fileKey() + "/" + a.lastModifiedTime().toMillis() + "/" + a.size();
    }

    private String keyOf(Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private static void writeDurably(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true); // on disk before the rename publishes it
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover in tmp/, removed at the next start
        }
    }
}
