package io.hpl.server.store;

import static io.hpl.server.store.ModelStoreTest.draft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Aliases in the store: resolution, version 0, promote, durability, deletes, and what bad input gets. */
class ModelAliasesTest {
    @TempDir
    Path root;

    private static HplException fails(ErrorKind kind, Executable call, String... words) {
        HplException e = assertThrows(HplException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should mention '" + w + "'");
        }
        return e;
    }

    @Test
    void aliasResolvesByFieldOrNameAtAliasAndSurvivesARestart() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        assertEquals(0, store.setAlias("m", "candidate", 1));
        assertEquals(1, store.resolve(ModelRef.of("m", 0, "candidate")).version());
        assertEquals(1, store.resolve(ModelRef.of("m@candidate", 0, "")).version());
        assertEquals(1, store.resolve(ModelRef.of("m@candidate", 0, "candidate")).version(), "both, agreeing");
        assertEquals(2, store.resolve(ModelRef.of("m", 0, "")).version(), "no production alias: version 0 is the latest");
        assertEquals(1, store.setAlias("m", "candidate", 2), "returns where it pointed before");
        assertEquals(Map.of("candidate", 2), new ModelStore(root).aliases("m"), "a new store over the same files (restart)");
        assertEquals(List.of("candidate"), store.aliasesOf(store.get("m", 2)));
        assertEquals(List.of(), store.aliasesOf(store.get("m", 1)));
    }

    /** Replicas on one shared store: a move by one is seen by the other's next read, despite its cache. */
    @Test
    void anotherStoreOverTheSameFilesSeesMovesAtOnce() {
        ModelStore a = new ModelStore(root);
        a.publish(draft("m"), new byte[] {1});
        a.publish(draft("m"), new byte[] {2});
        ModelStore b = new ModelStore(root);
        a.setAlias("m", "production", 1);
        assertEquals(1, b.get("m", 0).version());
        a.setAlias("m", "production", 2);
        assertEquals(2, b.get("m", 0).version());
        a.deleteAlias("m", "production");
        assertEquals(Map.of(), b.aliases("m"));
    }

    @Test
    void productionDecidesWhatVersionZeroServesUntilItIsDeleted() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        store.setAlias("m", ModelStore.defaultAlias(), 1);
        assertEquals(1, store.get("m", 0).version());
        assertEquals(1, store.resolve(ModelRef.of("m", 0)).version());
        assertEquals(2, store.resolve(ModelRef.of("m", 2)).version(), "a pinned version is still that version");
        assertEquals(1, store.deleteAlias("m", "production"));
        assertEquals(2, store.get("m", 0).version(), "without the alias, version 0 is the latest again");
    }

    /** The issue's sequence: v1 promoted, v2 not, then moved by hand, then rolled back. */
    @Test
    void promoteDecidesWhetherANewVersionGoesLive() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1}, true);
        assertEquals(Map.of("production", 1), store.aliases("m"));
        store.publish(draft("m"), new byte[] {2}, false);
        assertEquals(1, store.get("m", 0).version(), "promote=false: v2 is not live");
        store.publish(draft("m"), new byte[] {3});
        assertEquals(1, store.get("m", 0).version(), "the default publish does not move the alias either");
        store.setAlias("m", "production", 2);
        assertEquals(2, store.get("m", 0).version());
        store.setAlias("m", "production", 1);
        assertEquals(1, store.get("m", 0).version(), "rollback");
        store.publish(draft("m"), new byte[] {4}, true);
        assertEquals(4, store.get("m", 0).version(), "promote=true moves it");
    }

    @Test
    void withoutTheDefaultAliasTheLatestServesAsBefore() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("u"), new byte[] {1});
        store.publish(draft("u"), new byte[] {2}, false);
        assertEquals(2, store.get("u", 0).version(), "no alias: version 0 is the latest, promote or not");
        assertEquals(Map.of(), store.aliases("u"), "and no alias is created");
    }

    @Test
    void anAliasedVersionCannotBeDeleted() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        store.setAlias("m", "production", 1);
        fails(ErrorKind.FAILED_PRECONDITION, () -> store.delete("m", 1), "'production' -> version 1", "SetAlias", "DeleteAlias");
        fails(ErrorKind.FAILED_PRECONDITION, () -> store.delete("m", 0), "every version", "'production'");
        assertEquals(1, store.get("m", 1).version(), "still there");
        assertEquals(1, store.delete("m", 2), "an unaliased version goes");
        store.deleteAlias("m", "production");
        assertEquals(1, store.delete("m", 0));
    }

    @Test
    void badAliasesAndUnknownOnesSayWhatToDo() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.setAlias("m", "production", 1);
        fails(ErrorKind.NOT_FOUND, () -> store.resolve(ModelRef.of("m@candidate", 0, "")), "'candidate'", "[production]", "SetAlias");
        fails(ErrorKind.NOT_FOUND, () -> store.resolve(ModelRef.of("nope@production", 0, "")), "model 'nope' not found");
        fails(ErrorKind.NOT_FOUND, () -> store.setAlias("m", "candidate", 7), "no version 7");
        fails(ErrorKind.NOT_FOUND, () -> store.deleteAlias("m", "candidate"), "no alias 'candidate'");
        fails(ErrorKind.INVALID_ARGUMENT, () -> store.setAlias("m", "Prod", 1), "alias 'Prod' is not valid", "lowercase");
        fails(ErrorKind.INVALID_ARGUMENT, () -> store.setAlias("m", "a".repeat(33), 1), "not valid");
        fails(ErrorKind.INVALID_ARGUMENT, () -> store.setAlias("m", "candidate", 0), "1 or more");
        fails(ErrorKind.INVALID_ARGUMENT, () -> ModelRef.of("m@a", 0, "b"), "'a'", "'b'", "give one");
        fails(ErrorKind.INVALID_ARGUMENT, () -> ModelRef.of("m@", 0, ""), "ends with '@'");
        fails(ErrorKind.INVALID_ARGUMENT, () -> ModelRef.of("m", 2, "production"), "either version (2) or alias");
        fails(ErrorKind.INVALID_ARGUMENT, () -> ModelRef.of("m@x@y", 0, ""), "not valid");
    }

    @Test
    void theGoingLiveListenerRunsBeforeTheMoveAndCanRefuseIt() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        store.setAlias("m", "production", 1);
        List<Integer> readied = new ArrayList<>();
        store.onGoingLive(record -> {
            readied.add(record.version());
            assertEquals(1, store.aliases("m").get("production"), "called before the alias moves");
            if (record.version() == 2) {
                throw HplException.precondition("cannot load version 2");
            }
        });
        fails(ErrorKind.FAILED_PRECONDITION, () -> store.setAlias("m", "production", 2), "cannot load");
        assertEquals(1, store.get("m", 0).version(), "a version that cannot load never goes live");
        store.publish(draft("m"), new byte[] {3}, true);
        assertEquals(List.of(2, 3), readied, "promote readies the new version too");
        assertEquals(3, store.get("m", 0).version());
    }

    /** Many threads moving aliases at once: every move lands whole, the file always parses, the last write wins. */
    @Test
    void concurrentMovesAreSerialisedAndTheFileStaysWhole() throws Exception {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String alias = "a" + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        store.setAlias("m", alias, 1 + i % 2);
                        store.setAlias("m", "shared", 1 + i % 2);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        Map<String, Integer> expected = Map.of("a0", 2, "a1", 2, "a2", 2, "a3", 2, "shared", 2);
        assertEquals(expected, store.aliases("m"), "no thread's move was lost");
        assertEquals(expected, new ModelStore(root).aliases("m"), "and the file says the same");
        try (var left = Files.list(root.resolve("tmp").resolve("models"))) {
            assertEquals(0, left.filter(p -> p.toString().endsWith(".part")).count(), "nothing left aside");
        }
    }
}
