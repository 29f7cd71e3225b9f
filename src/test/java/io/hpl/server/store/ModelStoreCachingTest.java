package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.objects.ObjectStore;
import io.hpl.server.store.objects.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The model store's read caches as the Predict path sees them, on both backends: resolving a warm model
 * reads nothing from the store, and what this process writes counts at the next resolve, however long
 * the refresh interval (what other processes write: {@link SharedStoreTest}).
 */
class ModelStoreCachingTest {
    private static final Duration AN_HOUR = Duration.ofHours(1); // longer than any test: only this process's writes can refresh

    @TempDir
    Path shared;
    @TempDir
    Path local;

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void resolvingAWarmModelReadsNothingFromTheStore(StoreBackend backend) {
        CountingObjectStore objects = new CountingObjectStore(backend.open(shared, local));
        ModelStore store = new ModelStore(objects, AN_HOUR);
        store.publish(ModelStoreTest.draft("m"), new byte[] {1});
        store.publish(ModelStoreTest.draft("m"), new byte[] {2});
        store.setAlias("m", "candidate", 1);
        List<ModelRef> refs = List.of(ModelRef.of("m", 0), ModelRef.of("m", 1), ModelRef.of("m", 0, "candidate"));
        refs.forEach(store::resolve); // warms the caches

        int before = objects.reads.get();
        for (int i = 0; i < 100; i++) {
            assertEquals(2, store.resolve(refs.get(0)).version());
            assertEquals(1, store.resolve(refs.get(1)).version());
            assertEquals(1, store.resolve(refs.get(2)).version());
        }
        assertEquals(before, objects.reads.get(), "no stat, listing or read per resolve once warm");
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void whatThisProcessWritesCountsAtTheNextResolve(StoreBackend backend) {
        ModelStore store = new ModelStore(backend.open(shared, local), AN_HOUR);
        store.publish(ModelStoreTest.draft("m"), new byte[] {1});
        assertEquals(1, store.resolve(ModelRef.of("m", 0)).version());

        store.publish(ModelStoreTest.draft("m"), new byte[] {2});
        assertEquals(2, store.resolve(ModelRef.of("m", 0)).version(), "a new version is the latest at once");
        store.setAlias("m", "production", 1);
        assertEquals(1, store.resolve(ModelRef.of("m", 0)).version(), "the default alias decides version 0 at once");
        store.setAlias("m", "production", 2);
        assertEquals(2, store.resolve(ModelRef.of("m", 0, "production")).version(), "an alias move counts at once");
        store.deleteAlias("m", "production");
        store.delete("m", 2);
        assertEquals(1, store.resolve(ModelRef.of("m", 0)).version(), "a deleted version stops being the latest at once");
        HplException gone = assertThrows(HplException.class, () -> store.resolve(ModelRef.of("m", 2)));
        assertEquals(ErrorKind.NOT_FOUND, gone.kind());
    }

    /**
     * A Predict that listed the versions just before a publish landed must not cache that listing: the
     * version just trained would stay hidden from version 0 for a whole refresh interval.
     */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aListingReadWhileAPublishLandsIsNotCached(StoreBackend backend) throws Exception {
        CountingObjectStore objects = new CountingObjectStore(backend.open(shared, local));
        ModelStore store = new ModelStore(objects, AN_HOUR);
        store.publish(ModelStoreTest.draft("m"), new byte[] {1});

        objects.holdNextListing(); // the reader lists the store as it is now (v1), then waits here
        CompletableFuture<ModelRecord> reader = CompletableFuture.supplyAsync(() -> store.resolve(ModelRef.of("m", 0)));
        assertTrue(objects.listed.await(30, TimeUnit.SECONDS), "the reader listed the versions");
        store.publish(ModelStoreTest.draft("m"), new byte[] {2}); // lands while the reader holds the old listing
        objects.release.countDown();
        assertEquals(1, reader.get(30, TimeUnit.SECONDS).version(), "the reader answers from what it listed");

        assertEquals(2, store.resolve(ModelRef.of("m", 0)).version(), "the next resolve sees the new version");
    }

    /** A version another process deleted leaves this one's parsed-record cache once the listing is re-read. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void versionsDeletedElsewhereLeaveTheRecordCache(StoreBackend backend) {
        ModelStore trainer = new ModelStore(backend.open(shared, local.resolve("trainer")), AN_HOUR);
        ModelStore server = new ModelStore(backend.open(shared, local.resolve("server")), AN_HOUR);
        trainer.publish(ModelStoreTest.draft("m"), new byte[] {1});
        trainer.publish(ModelStoreTest.draft("m"), new byte[] {2});
        trainer.publish(ModelStoreTest.draft("other"), new byte[] {3});
        assertEquals(List.of(1, 2), server.list("m").stream().map(ModelRecord::version).toList());
        server.get("other", 1);
        assertEquals(3, server.cachedRecords());

        trainer.delete("m", 2);
        server.refresh(); // what the schedule does every interval: listings are re-read at their next use
        assertEquals(List.of(1), server.list("m").stream().map(ModelRecord::version).toList());
        assertEquals(2, server.cachedRecords(), "m's version 2 left the cache; m/1 and other/1 stayed");
    }

    /** Counts the reads that reach the store, and can hold one listing after it was read. */
    private static final class CountingObjectStore implements ObjectStore {
        final AtomicInteger reads = new AtomicInteger();
        final CountDownLatch listed = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private volatile boolean holdNext;
        private final ObjectStore delegate;

        CountingObjectStore(ObjectStore delegate) {
            this.delegate = delegate;
        }

        void holdNextListing() {
            holdNext = true;
        }

        @Override
        public List<StoredObject> list(String prefix) {
            reads.incrementAndGet();
            List<StoredObject> listing = delegate.list(prefix);
            if (holdNext && prefix.startsWith("models/")) {
                holdNext = false;
                listed.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return listing;
        }

        @Override
        public Optional<byte[]> get(String key) {
            reads.incrementAndGet();
            return delegate.get(key);
        }

        @Override
        public Optional<String> stat(String key) {
            reads.incrementAndGet();
            return delegate.stat(key);
        }

        @Override
        public Optional<Versioned> getVersioned(String key) {
            reads.incrementAndGet();
            return delegate.getVersioned(key);
        }

        @Override
        public boolean replaceIf(String key, String token, byte[] content) {
            return delegate.replaceIf(key, token, content);
        }

        @Override
        public List<String> children(String prefix) {
            reads.incrementAndGet();
            return delegate.children(prefix);
        }

        @Override
        public Optional<Path> localFile(String key) {
            reads.incrementAndGet();
            return delegate.localFile(key);
        }

        @Override
        public void put(String key, byte[] content) {
            delegate.put(key, content);
        }

        @Override
        public boolean putIfAbsent(String key, byte[] content) {
            return delegate.putIfAbsent(key, content);
        }

        @Override
        public void putFile(String key, Path file) {
            delegate.putFile(key, file);
        }

        @Override
        public boolean statIsCheap() {
            return delegate.statIsCheap();
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }

        @Override
        public void deletePrefix(String prefix) {
            delegate.deletePrefix(prefix);
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }
}
