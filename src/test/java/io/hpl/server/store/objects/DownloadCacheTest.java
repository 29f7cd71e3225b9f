package io.hpl.server.store.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadCacheTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);

    private DownloadCache cache(long maxBytes, Duration grace) {
        return new DownloadCache(dir, dir.resolve(".downloading"), maxBytes, grace, clock::get);
    }

    /** A finished download of {@code bytes} bytes, outside the cache's keys (as S3ObjectStore's .part files). */
    private Path download(int bytes) throws IOException {
        Files.createDirectories(dir.resolve(".downloading"));
        return Files.write(Files.createTempFile(dir.resolve(".downloading"), "d", ".part"), new byte[bytes]);
    }

    @Test
    void theLeastRecentlyUsedCopiesGoOnceTheLimitIsPassed() throws IOException {
        DownloadCache cache = cache(2_500, Duration.ZERO);
        Path a = cache.add("datasets/a/data.csv", download(1_000));
        Path b = cache.add("datasets/b/data.csv", download(1_000));
        assertEquals(Optional.of(a), cache.get("datasets/a/data.csv")); // a is now more recent than b
        Path c = cache.add("datasets/c/data.csv", download(1_000));
        assertFalse(Files.exists(b), "b was used least recently");
        assertTrue(Files.exists(a) && Files.exists(c));
        assertEquals(Optional.empty(), cache.get("datasets/b/data.csv"));
        assertEquals(2_000, cache.bytes());
    }

    @Test
    void copiesHandedOutWithinTheGraceStayEvenOverTheLimit() throws IOException {
        DownloadCache cache = cache(2_500, Duration.ofMinutes(1));
        Path a = cache.add("a", download(1_000));
        Path b = cache.add("b", download(1_000));
        Path c = cache.add("c", download(1_000));
        assertTrue(Files.exists(a) && Files.exists(b) && Files.exists(c), "each was handed out moments ago");
        assertEquals(3_000, cache.bytes());
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        assertEquals(Optional.of(c), cache.get("c")); // read again: in grace once more
        Path d = cache.add("d", download(1_000));
        assertFalse(Files.exists(a) || Files.exists(b), "the two oldest, past their grace, make room");
        assertTrue(Files.exists(c) && Files.exists(d));
        assertEquals(2_000, cache.bytes());
    }

    @Test
    void aCopyLargerThanTheLimitIsStillHandedOutThenGoesFirst() throws IOException {
        DownloadCache cache = cache(500, Duration.ZERO);
        Path big = cache.add("big", download(1_000));
        assertTrue(Files.exists(big), "the copy just downloaded is about to be read");
        Path small = cache.add("small", download(100));
        assertFalse(Files.exists(big));
        assertTrue(Files.exists(small));
        assertEquals(100, cache.bytes());
    }

    @Test
    void copiesLeftByAnEarlierRunCountOldestFirst() throws IOException {
        Path old = Files.write(Files.createDirectories(dir.resolve("datasets/old")).resolve("data.csv"), new byte[1_000]);
        Path recent = Files.write(Files.createDirectories(dir.resolve("datasets/recent")).resolve("data.csv"), new byte[1_000]);
        Files.setLastModifiedTime(old, FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(recent, FileTime.fromMillis(2_000_000));
        Path part = download(5_000); // a download in progress is not a copy
        DownloadCache cache = cache(1_500, Duration.ofMinutes(1));
        assertFalse(Files.exists(old), "over the limit at start: the oldest goes");
        assertTrue(Files.exists(recent) && Files.exists(part));
        assertEquals(1_000, cache.bytes());
        assertEquals(Optional.of(recent), cache.get("datasets/recent/data.csv"));
    }

    @Test
    void aRemovedObjectsCopyIsDeletedAndUncounted() throws IOException {
        DownloadCache cache = cache(10_000, Duration.ZERO);
        Path a = cache.add("a", download(1_000));
        cache.add("a", download(700)); // downloaded again (two readers raced): counted once
        assertEquals(700, cache.bytes());
        cache.remove("a");
        assertFalse(Files.exists(a));
        assertEquals(0, cache.bytes());
        assertEquals(Optional.empty(), cache.get("a"));
    }
}
