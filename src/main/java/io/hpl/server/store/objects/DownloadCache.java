package io.hpl.server.store.objects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Local copies of objects that never change under their key (datasets), downloaded once and kept
 * within a size: past {@code maxBytes}, the least recently used copies are deleted, and downloaded
 * again if read again. A copy used within the last {@code grace} is kept even over the cap: its reader
 * was handed the path and may not have opened it yet (a reader that has opened it keeps reading a
 * deleted file, as POSIX file systems allow). Copies left by an earlier run in the same folder count,
 * oldest first.
 */
final class DownloadCache {
    private static final Logger LOG = Logger.getLogger(DownloadCache.class);

    /** Where each cached key's copy is, its size and when it was last handed out. */
    private record Entry(Path path, long bytes, long usedAtNanos) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long graceNanos;
    private final LongSupplier nanoClock;
    /** In use order, least recent first. Guarded by this. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /**
     * @param skip a folder inside {@code dir} that is not cache (downloads in progress)
     */
    DownloadCache(Path dir, Path skip, long maxBytes, Duration grace, LongSupplier nanoClock) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("the download cache's size limit must be ≥ 0 bytes, not " + maxBytes);
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.graceNanos = grace.toNanos();
        this.nanoClock = nanoClock;
        adoptEarlierCopies(skip);
    }

    /** The copy of {@code key}, if cached, marked as just used. */
    synchronized Optional<Path> get(String key) {
        Entry e = entries.get(key);
        if (e == null || !Files.isRegularFile(e.path())) {
            if (e != null) { // deleted behind our back: forget it
                entries.remove(key);
                bytes -= e.bytes();
            }
            return Optional.empty();
        }
        entries.put(key, new Entry(e.path(), e.bytes(), nanoClock.getAsLong()));
        return Optional.of(e.path());
    }

    /** Moves a finished download into place as {@code key}'s copy, then trims the cache; returns the copy. */
    synchronized Path add(String key, Path downloaded) {
        Path target = dir.resolve(key);
        try {
            Files.createDirectories(target.getParent());
            Files.move(downloaded, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long size = Files.size(target);
            Entry old = entries.put(key, new Entry(target, size, nanoClock.getAsLong()));
            bytes += size - (old == null ? 0 : old.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache " + key + " in " + dir, e);
        }
        trim(key);
        return target;
    }

    /** Drops {@code key}'s copy (its object was deleted). */
    synchronized void remove(String key) {
        Entry e = entries.remove(key);
        if (e != null) {
            bytes -= e.bytes();
        }
        delete(dir.resolve(key));
    }

    /** Bytes of the copies cached now. */
    synchronized long bytes() {
        return bytes;
    }

    /** Deletes least recently used copies until the cache is within its limit, never {@code keep}'s. */
    private void trim(String keep) {
        long now = nanoClock.getAsLong();
        Iterator<Map.Entry<String, Entry>> eldestFirst = entries.entrySet().iterator();
        while (bytes > maxBytes && eldestFirst.hasNext()) {
            Map.Entry<String, Entry> next = eldestFirst.next();
            Entry e = next.getValue();
            if (next.getKey().equals(keep) || now - e.usedAtNanos() < graceNanos) {
                continue; // about to be read, or handed out moments ago: it goes at a later trim
            }
            eldestFirst.remove();
            bytes -= e.bytes();
            delete(e.path());
        }
        if (bytes > maxBytes) {
            LOG.warnf("the download cache %s holds %d bytes, over its limit of %d (hpl.store.s3.cache-max-bytes): every copy"
                    + " in it was read in the last %d s; it is trimmed at the next download", dir, bytes, maxBytes,
                    Duration.ofNanos(graceNanos).toSeconds());
        }
    }

    private void adoptEarlierCopies(Path skip) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        record Found(String key, Path path, long bytes, long modified) {
        }
        List<Found> found;
        try (Stream<Path> files = Files.walk(dir)) {
            found = files.filter(p -> !p.startsWith(skip)).map(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    return a.isRegularFile() ? new Found(dir.relativize(p).toString().replace('\\', '/'), p, a.size(),
                            a.lastModifiedTime().toMillis()) : null;
                } catch (IOException e) {
                    return null; // gone meanwhile
                }
            }).filter(f -> f != null).sorted(Comparator.comparingLong(Found::modified)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the download cache " + dir, e);
        }
        long longAgo = nanoClock.getAsLong() - graceNanos; // not in use by anyone in this process
        for (Found f : found) {
            entries.put(f.key(), new Entry(f.path(), f.bytes(), longAgo));
            bytes += f.bytes();
        }
        trim(null);
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // left for the next start, which counts it again
        }
    }
}
