package io.hpl.server.store.objects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One folder of work files under a local root ({@code tmp/<area>/}), shared by every process that uses
 * the root. Each file's name starts with its owner (host, process id and process start time), so a
 * process starting up removes only what processes that are gone left behind (a crash mid-write),
 * never the files of another process still running on the same root. Files of another host are
 * removed once a day old (that host's processes cannot be looked up from here).
 */
public final class TempArea {
    private static final char SEPARATOR = '~';
    private static final Duration FOREIGN_STALE = Duration.ofDays(1);
    private static final String HOST = hostName();
    private static final long PID = ProcessHandle.current().pid();
    private static final long STARTED = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    /** This process's prefix for its files' names. */
    static final String OWNER = HOST + "_" + PID + "_" + STARTED;

    private final Path dir;

    /** The area {@code dir}, created if missing, with the leftovers of ended processes removed. */
    public TempArea(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (var entries = Files.list(dir)) {
                entries.filter(TempArea::leftBehind).forEach(TempArea::deleteRecursively);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** A new, unused path in this area (nothing is created), its name ending in {@code suffix}. */
    public Path newPath(String suffix) {
        return dir.resolve(OWNER + SEPARATOR + UUID.randomUUID() + suffix);
    }

    /** Whether an entry is a leftover: no owner in its name, or an owner that has ended. */
    static boolean leftBehind(Path entry) {
        String name = entry.getFileName().toString();
        int cut = name.indexOf(SEPARATOR);
        String[] owner = cut < 0 ? new String[0] : name.substring(0, cut).split("_");
        if (owner.length != 3) {
            return true; // written before owners were named, by a process long gone
        }
        if (!owner[0].equals(HOST)) {
            try {
                return Files.getLastModifiedTime(entry).toInstant().plus(FOREIGN_STALE).isBefore(Instant.now());
            } catch (IOException e) {
                return false;
            }
        }
        try {
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(owner[1]));
            long started = Long.parseLong(owner[2]);
            return process.isEmpty() || process.get().info().startInstant()
                    .map(s -> started != 0 && s.toEpochMilli() != started).orElse(false);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    private static String hostName() {
        String name = System.getenv("HOSTNAME"); // set in containers and most shells; no DNS lookup
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "localhost";
            }
        }
        return name.replace('_', '-').replace(SEPARATOR, '-');
    }
}
