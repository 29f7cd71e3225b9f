package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.objects.ObjectStore;
import io.hpl.server.store.objects.StoreBackend;
import io.hpl.server.training.MethodName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stores as several processes sharing one store see them, on the local directory and on S3 alike:
 * each "process" is its own store objects over the same backend, with its own work directory.
 */
class SharedStoreTest {
    @TempDir
    Path shared;
    @TempDir
    Path local;

    private ObjectStore process(StoreBackend backend, String name) {
        return backend.open(shared, local.resolve(name));
    }

    /** Two publishers of one model name at once, and a reader meanwhile: distinct numbers, nothing half-visible. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void concurrentPublishersTakeDistinctVersionsAndReadersSeeOnlyWholeOnes(StoreBackend backend) throws Exception {
        ModelStore one = new ModelStore(process(backend, "one"), Duration.ZERO);
        ModelStore two = new ModelStore(process(backend, "two"), Duration.ZERO);
        ModelStore reader = new ModelStore(process(backend, "reader"), Duration.ZERO);
        int each = 6;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean publishing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<ModelRecord>>> publishers = new ArrayList<>();
            for (ModelStore store : List.of(one, two)) {
                publishers.add(pool.submit(() -> {
                    go.await();
                    List<ModelRecord> published = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        byte[] onnx = ("graph " + System.identityHashCode(store) + " #" + i).getBytes(StandardCharsets.UTF_8);
                        published.add(store.publish(ModelStoreTest.draft("m"), onnx));
                    }
                    return published;
                }));
            }
            Future<?> reading = pool.submit(() -> {
                go.await();
                while (publishing.get()) {
                    for (ModelRecord r : reader.list("m")) { // every listed version is whole: its graph is there and matches
                        byte[] onnx = reader.readOnnx(r);
                        assertEquals(r.onnxSha256(), ModelStore.sha256(onnx), "version " + r.version());
                        seen.add(r.version() + "");
                    }
                }
                return null;
            });
            go.countDown();
            List<ModelRecord> all = new ArrayList<>();
            for (Future<List<ModelRecord>> p : publishers) {
                all.addAll(p.get());
            }
            publishing.set(false);
            reading.get();
            Set<Integer> versions = new HashSet<>();
            all.forEach(r -> versions.add(r.version()));
            assertEquals(2 * each, versions.size(), "no number taken twice: " + all.stream().map(ModelRecord::version).toList());
            assertEquals(versions, new HashSet<>(reader.list("m").stream().map(ModelRecord::version).toList()));
            for (ModelRecord r : all) {
                assertEquals(r, reader.get("m", r.version()), "each version holds what its publisher wrote");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void deletedNumbersAreNotTakenAgainByAnotherProcess(StoreBackend backend) {
        ModelStore one = new ModelStore(process(backend, "one"), Duration.ZERO);
        ModelStore two = new ModelStore(process(backend, "two"), Duration.ZERO);
        one.publish(ModelStoreTest.draft("m"), new byte[] {1});
        one.publish(ModelStoreTest.draft("m"), new byte[] {2});
        one.delete("m", 2);
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(HplException.class, () -> two.get("m", 2)).kind());
        assertEquals(3, two.publish(ModelStoreTest.draft("m"), new byte[] {3}).version());
        one.delete("m", 0);
        assertEquals(4, two.publish(ModelStoreTest.draft("m"), new byte[] {4}).version());
    }

    /**
     * Two processes moving aliases of one model at the same moment: this one has read the aliases when the
     * other moves another alias, then this one writes. Both moves hold; with last-writer-wins the other's
     * move was lost.
     */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aliasMovesOnTwoProcessesAtOnceBothHold(StoreBackend backend) {
        ModelStore other = new ModelStore(process(backend, "other"), Duration.ZERO);
        other.publish(ModelStoreTest.draft("m"), new byte[] {1});
        other.publish(ModelStoreTest.draft("m"), new byte[] {2});
        ModelStore here = new ModelStore(beforeFirstAliasWrite(process(backend, "here"),
                () -> other.setAlias("m", "candidate", 2)), Duration.ZERO);
        here.setAlias("m", "production", 1);
        assertEquals(Map.of("candidate", 2, "production", 1), other.aliases("m"));
        assertEquals(Map.of("candidate", 2, "production", 1), here.aliases("m"));
        here.deleteAlias("m", "candidate");
        assertEquals(Map.of("production", 1), other.aliases("m"));
    }

    /** The store, running {@code meanwhile} once, just before this process first writes an alias object. */
    private static ObjectStore beforeFirstAliasWrite(ObjectStore store, Runnable meanwhile) {
        AtomicBoolean once = new AtomicBoolean(true);
        return (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    boolean write = method.getName().equals("put") || method.getName().equals("replaceIf");
                    if (write && String.valueOf(args[0]).startsWith("model-aliases/") && once.compareAndSet(true, false)) {
                        meanwhile.run();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A serving process sees another's new version and alias move once its refresh interval has passed, and loads the new target. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aServingProcessSeesAliasMovesAndReadiesTheirTargets(StoreBackend backend) throws Exception {
        ModelStore trainer = new ModelStore(process(backend, "trainer"), Duration.ofMillis(100));
        ModelStore server = new ModelStore(process(backend, "server"), Duration.ofMillis(100));
        List<ModelRecord> readied = Collections.synchronizedList(new ArrayList<>());
        server.onGoingLive(readied::add);
        ModelRecord v1 = trainer.publish(ModelStoreTest.draft("m"), new byte[] {1}, true);
        assertEquals(v1, server.get("m", 0));
        server.refresh(); // the first refresh notes what is there

        ModelRecord v2 = trainer.publish(ModelStoreTest.draft("m"), new byte[] {2}, true);
        assertEquals(List.of(v2), server.refresh(), "the version the alias moved to is readied");
        assertEquals(List.of(v2), readied);
        assertEquals(v2, server.get("m", 0), "version 0 serves the new default alias target");
        assertEquals(Map.of("production", 2), server.aliases("m"));
        assertEquals(List.of(), server.refresh(), "nothing moved since");
        assertEquals(List.of(), trainer.refresh(), "a move made here is no news here");
    }

    /** Without the background refresh, the read caches alone expire: a new version and alias move show within the interval. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void cachedListingsAndAliasesAreReReadAfterTheRefreshInterval(StoreBackend backend) throws InterruptedException {
        ModelStore trainer = new ModelStore(process(backend, "trainer"), Duration.ofMillis(200));
        ModelStore server = new ModelStore(process(backend, "server"), Duration.ofMillis(200));
        trainer.publish(ModelStoreTest.draft("m"), new byte[] {1});
        assertEquals(1, server.get("m", 0).version());
        trainer.publish(ModelStoreTest.draft("m"), new byte[] {2});
        assertEquals(2, server.get("m", 2).version(), "an explicit version is found at once, cache or not");
        awaitVersionZero(server, 2);
        trainer.setAlias("m", "production", 1);
        awaitVersionZero(server, 1);
        trainer.delete("m", 2);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.list("m").size() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(20); // bounded poll on the condition
        }
        assertEquals(List.of(1), server.list("m").stream().map(ModelRecord::version).toList());
    }

    private static void awaitVersionZero(ModelStore store, int version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.get("m", 0).version() != version && System.nanoTime() < deadline) {
            Thread.sleep(20); // bounded poll on the condition
        }
        assertEquals(version, store.get("m", 0).version());
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void datasetsAreUploadedOnceAndReadEverywhere(StoreBackend backend) {
        String csv = "id,x,y\n1,0.5,1.0\n2,1.5,\n3,2.5,3.0\n";
        DatasetHeaderSpec header = new DatasetHeaderSpec("small", "y", List.of("id"), List.of());
        DatasetStore one = datasets(backend, "one");
        DatasetStore two = datasets(backend, "two");
        DatasetRecord record = upload(one, header, csv);
        assertEquals(record, upload(two, header, csv), "an identical upload elsewhere returns the same dataset");
        assertEquals(List.of(record), two.list());
        assertEquals(3, two.load(record.id()).rows());
        assertEquals(2, two.load(record.id()).labelledRows());
        assertTrue(one.delete(record.id()));
        assertTrue(two.get(record.id()).isEmpty());
        assertEquals(List.of(), two.list());
        assertFalse(two.delete(record.id()));
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void jobRecordsAndCheckpointsRoundTrip(StoreBackend backend) {
        JobStore one = new JobStore(process(backend, "one"));
        JobStore two = new JobStore(process(backend, "two"));
        JobRecord queued = JobRecord.queued("job-00000000-0000-0000-0000-000000000001", null, "ds-1", MethodName.SUPERVISED,
                MethodName.SUPERVISED, "m", Map.of("iterations", "10"), 5);
        one.save(queued);
        one.saveCheckpoint(queued.id(), new byte[] {1, 2});
        assertEquals(queued, two.find(queued.id()).orElseThrow());
        assertEquals(List.of(queued), two.list());
        assertArrayEquals(new byte[] {1, 2}, two.checkpoint(queued.id()).orElseThrow());
        JobRecord ended = queued.running().succeeded(1);
        two.save(ended);
        assertEquals(List.of(), one.prune(Duration.ofDays(1), Instant.now()), "ended, but within the retention");
        assertTrue(one.checkpoint(queued.id()).isEmpty(), "an ended job's checkpoint goes");
        assertEquals(List.of(queued.id()), one.prune(Duration.ZERO, Instant.now().plusSeconds(1)));
        assertTrue(two.find(queued.id()).isEmpty());
    }

    private DatasetStore datasets(StoreBackend backend, String name) {
        return new DatasetStore(process(backend, name), local.resolve(name), UploadLimits.DEFAULTS, ImageLimits.DEFAULTS,
                TableLimits.DEFAULTS);
    }

    private static DatasetRecord upload(DatasetStore store, DatasetHeaderSpec header, String csv) {
        try (DatasetUpload upload = store.begin(header)) {
            upload.append(csv.getBytes(StandardCharsets.UTF_8));
            return upload.finish();
        }
    }
}
