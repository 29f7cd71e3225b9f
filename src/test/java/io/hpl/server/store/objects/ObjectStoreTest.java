package io.hpl.server.store.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every {@link ObjectStore} promises, checked on the local directory and on S3 alike. */
class ObjectStoreTest {
    @TempDir
    Path shared;
    @TempDir
    Path local;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void putGetReplaceAndDelete(StoreBackend backend) {
        ObjectStore store = backend.open(shared, local);
        assertTrue(store.get("a/b/c.json").isEmpty());
        assertTrue(store.stat("a/b/c.json").isEmpty());
        store.put("a/b/c.json", bytes("one"));
        assertArrayEquals(bytes("one"), store.get("a/b/c.json").orElseThrow());
        String first = store.stat("a/b/c.json").orElseThrow();
        store.put("a/b/c.json", bytes("two, longer"));
        assertArrayEquals(bytes("two, longer"), store.get("a/b/c.json").orElseThrow());
        assertNotEquals(first, store.stat("a/b/c.json").orElseThrow(), "a replaced object has a new stamp");
        store.delete("a/b/c.json");
        assertTrue(store.get("a/b/c.json").isEmpty());
        store.delete("a/b/c.json"); // deleting nothing is no error
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void putIfAbsentCreatesOnlyOnce(StoreBackend backend) {
        ObjectStore store = backend.open(shared, local);
        assertTrue(store.putIfAbsent("k/claim", bytes("first")));
        assertFalse(store.putIfAbsent("k/claim", bytes("second")));
        assertArrayEquals(bytes("first"), store.get("k/claim").orElseThrow(), "the loser wrote nothing");
    }

    /** replaceIf writes only over the version it was given (none: only where there is no object). */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void replaceIfWritesOnlyOverTheVersionItRead(StoreBackend backend) {
        ObjectStore one = backend.open(shared, local.resolve("one"));
        ObjectStore two = backend.open(shared, local.resolve("two"));
        assertTrue(one.getVersioned("m/a.json").isEmpty());
        assertTrue(one.replaceIf("m/a.json", null, bytes("v1")), "no object: created");
        assertFalse(two.replaceIf("m/a.json", null, bytes("other")), "there is one now");
        ObjectStore.Versioned read = one.getVersioned("m/a.json").orElseThrow();
        assertArrayEquals(bytes("v1"), read.content());
        assertTrue(two.replaceIf("m/a.json", two.getVersioned("m/a.json").orElseThrow().token(), bytes("v2")));
        assertFalse(one.replaceIf("m/a.json", read.token(), bytes("v3")), "v1's token no longer names the object");
        assertArrayEquals(bytes("v2"), one.get("m/a.json").orElseThrow(), "the loser wrote nothing");
        String v2 = one.getVersioned("m/a.json").orElseThrow().token();
        assertNotEquals(read.token(), v2);
        assertTrue(one.replaceIf("m/a.json", v2, bytes("v3")));
        one.delete("m/a.json");
        assertFalse(two.replaceIf("m/a.json", v2, bytes("v4")), "removed since the token was read");
        assertTrue(one.get("m/a.json").isEmpty());
    }

    /** Writers on two processes each adding to one object by read, change, replaceIf, retry: nothing is lost. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void readChangeReplaceLosesNoConcurrentChange(StoreBackend backend) throws Exception {
        ObjectStore one = backend.open(shared, local.resolve("one"));
        ObjectStore two = backend.open(shared, local.resolve("two"));
        int writers = 4;
        int each = backend == StoreBackend.S3 ? 5 : 25; // moto answers one request at a time
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                ObjectStore store = t % 2 == 0 ? one : two;
                int writer = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            Optional<ObjectStore.Versioned> now = store.getVersioned("counter");
                            String lines = now.map(v -> new String(v.content(), StandardCharsets.UTF_8)).orElse("");
                            if (store.replaceIf("counter", now.map(ObjectStore.Versioned::token).orElse(null),
                                    bytes(lines + writer + ":" + i + "\n"))) {
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(writers * each, new String(one.get("counter").orElseThrow(), StandardCharsets.UTF_8).lines().count(),
                "every writer's every change is in the object");
    }

    /** Two processes racing for one key: exactly one creates it. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void concurrentCreatorsHaveExactlyOneWinner(StoreBackend backend) throws Exception {
        ObjectStore one = backend.open(shared, local.resolve("one"));
        ObjectStore two = backend.open(shared, local.resolve("two"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String key = "race/" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    ObjectStore store = t % 2 == 0 ? one : two;
                    byte[] content = bytes("writer " + t);
                    Callable<Boolean> create = () -> {
                        go.await();
                        return store.putIfAbsent(key, content);
                    };
                    results.add(pool.submit(create));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> r : results) {
                    winners += r.get() ? 1 : 0;
                }
                assertEquals(1, winners, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void listsByPrefixAndNamesChildren(StoreBackend backend) {
        ObjectStore store = backend.open(shared, local);
        store.put("models/m/1/model.json", bytes("{}"));
        store.put("models/m/1/model.onnx", bytes("x"));
        store.put("models/m/2/claim", bytes("c"));
        store.put("models/n/1/model.json", bytes("{}"));
        store.put("model-versions/m", bytes("2"));
        assertEquals(List.of("models/m/1/model.json", "models/m/1/model.onnx", "models/m/2/claim"),
                store.list("models/m/").stream().map(ObjectStore.StoredObject::key).sorted().toList());
        assertEquals(store.stat("models/m/2/claim").orElseThrow(),
                store.list("models/m/").stream().filter(o -> o.key().endsWith("claim")).findFirst().orElseThrow().stamp(),
                "a listing carries the same stamps as stat");
        assertEquals(List.of("m", "n"), store.children("models/"));
        assertEquals(List.of("1", "2"), store.children("models/m/"));
        assertEquals(List.of(), store.children("nothing/"));
        store.deletePrefix("models/m/");
        assertEquals(List.of(), store.list("models/m/"));
        assertEquals(List.of("n"), store.children("models/"));
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void filesGoInWholeAndComeOutAsLocalFiles(StoreBackend backend) throws Exception {
        ObjectStore writer = backend.open(shared, local.resolve("writer"));
        Path upload = Files.createTempFile(local, "upload", ".csv");
        Files.writeString(upload, "a,y\n1,2\n");
        writer.putFile("datasets/ds-1/data.csv", upload);
        assertFalse(Files.exists(upload), "the file is consumed");

        ObjectStore reader = backend.open(shared, local.resolve("reader"));
        Optional<Path> file = reader.localFile("datasets/ds-1/data.csv");
        assertEquals("a,y\n1,2\n", Files.readString(file.orElseThrow()));
        assertEquals(file, reader.localFile("datasets/ds-1/data.csv"), "read from the same place again");
        assertTrue(reader.localFile("datasets/ds-2/data.csv").isEmpty());
    }
}
