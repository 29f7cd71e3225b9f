package io.hpl.server.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.objects.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Each model's aliases (alias → version), one object a model: {@code model-aliases/<name>.json}, replaced
 * whole, so a crash leaves either the old map or the new one. Writers are serialised by the
 * {@link ModelStore} that owns this (its monitor); across processes each move is a compare-and-replace
 * ({@link ObjectStore#replaceIf}), redone on a conflict, so concurrent moves on two replicas both hold.
 * Readers see an immutable map from a cache, so Predict does not parse a file per call: a move made here counts at
 * once, one made by another process sharing the store once the cache is re-read, after the refresh
 * interval. With a zero interval on a local store the cache is checked against the file's identity
 * at every read instead (one stat: every write is a rename, so a new inode).
 */
final class ModelAliases {
    /** The alias that decides what version 0 serves, when a model has it. */
    static final String DEFAULT = "production";
    static final String PREFIX = "model-aliases/";
    private static final String SUFFIX = ".json";
    private static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final ObjectStore objects;
    private final long refreshNanos;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Counts this process's writes: a read that overlapped one is returned but not cached (it may be the old map). */
    private final AtomicLong writes = new AtomicLong();
    /** Stamps of the alias objects this process wrote last, by key: moves made here need no refresh. */
    private final Map<String, String> written = new ConcurrentHashMap<>();

    /** A model's aliases as read, with the object's stamp then (null: no object, or a remote store) and the time. */
    private record Cached(String stamp, long readAt, Map<String, Integer> aliases) {
    }

    /** {@code refreshNanos}: how long a read stays good (0: check the object at every read). */
    ModelAliases(ObjectStore objects, long refreshNanos) {
        this.objects = objects;
        this.refreshNanos = refreshNanos;
    }

    static void validateAlias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw HplException.invalid("alias " + EchoedInput.quote(alias) + " is not valid: use 1 to 32 lowercase letters,"
                    + " digits or '-', starting with a letter (e.g. 'production', 'candidate')");
        }
    }

    /** The model whose alias object {@code key} is, or null when it is none. */
    static String modelOf(String key) {
        return key.startsWith(PREFIX) && key.endsWith(SUFFIX) && key.indexOf('/', PREFIX.length()) < 0
                ? key.substring(PREFIX.length(), key.length() - SUFFIX.length()) : null;
    }

    /** The model's aliases, sorted by alias; empty if it has none. */
    Map<String, Integer> of(String name) {
        Cached cached = cache.get(name);
        if (ModelStore.exactReads(objects, refreshNanos)) {
            Optional<String> stamp = objects.stat(key(name));
            if (stamp.isEmpty()) {
                return Map.of();
            }
            if (cached != null && stamp.get().equals(cached.stamp())) {
                return cached.aliases();
            }
            return load(name, stamp.get());
        }
        if (cached != null && System.nanoTime() - cached.readAt() < refreshNanos) {
            return cached.aliases();
        }
        return reload(name);
    }

    /** What the cache holds for the model (empty if nothing), without reading the store. */
    Map<String, Integer> cached(String name) {
        Cached cached = cache.get(name);
        return cached == null ? Map.of() : cached.aliases();
    }

    /** Reads the model's aliases from the store now. */
    Map<String, Integer> reload(String name) {
        return load(name, objects.statIsCheap() ? objects.stat(key(name)).orElse(null) : null);
    }

    /** Whether the alias object {@code key} is, at {@code stamp}, what this process wrote last. */
    boolean writtenHere(String key, String stamp) {
        return stamp.equals(written.get(key));
    }

    /** Caller holds the store's monitor. Returns the version the alias pointed to before, or null if it had none. */
    Integer put(String name, String alias, int version) {
        return update(name, aliases -> aliases.put(alias, version)).get(alias);
    }

    /** Caller holds the store's monitor. Returns the version it pointed to, or null if there was no such alias. */
    Integer remove(String name, String alias) {
        return update(name, aliases -> aliases.remove(alias)).get(alias);
    }

    /** Most rounds of one move while other processes keep moving the same model's aliases. */
    static final int MAX_ROUNDS = 16;

    /**
     * Reads the model's aliases, changes them, and writes them back only if no other process wrote them
     * meanwhile ({@link ObjectStore#replaceIf}); else reads again and redoes the change, so a move made by
     * another replica at the same moment is kept, not overwritten. A model whose last alias goes keeps an
     * empty map rather than a deleted object: a delete cannot be made conditional on every S3. Returns
     * the aliases as they were just before the change was written.
     */
    private Map<String, Integer> update(String name, Consumer<Map<String, Integer>> change) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Optional<ObjectStore.Versioned> current = objects.getVersioned(key(name));
            Map<String, Integer> before = current.isEmpty() ? Map.of() : parse(name, current.get().content());
            Map<String, Integer> next = new TreeMap<>(before);
            change.accept(next);
            if (next.equals(before)) {
                return before; // nothing changes (an alias removed that was not there, or set where it points)
            }
            boolean replaced;
            try {
                replaced = objects.replaceIf(key(name), current.map(ObjectStore.Versioned::token).orElse(null),
                        json.writeValueAsBytes(next));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the aliases of model " + name, e);
            }
            if (replaced) {
                objects.stat(key(name)).ifPresent(stamp -> written.put(key(name), stamp));
                writes.incrementAndGet();
                cache.remove(name); // the next read takes the new object (and, locally, its new stamp)
                return before;
            }
        }
        throw new HplException(ErrorKind.UNAVAILABLE, "the aliases of model " + EchoedInput.quote(name) + " changed "
                + MAX_ROUNDS + " times while this move was being made (other replicas moving them): try again");
    }

    private Map<String, Integer> parse(String name, byte[] content) {
        try {
            return Collections.unmodifiableMap(new TreeMap<>(json.readValue(content, new TypeReference<Map<String, Integer>>() { })));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable model aliases " + key(name) + " in " + objects.describe(), e);
        }
    }

    private Map<String, Integer> load(String name, String stamp) {
        long writesBefore = writes.get();
        Optional<byte[]> bytes = objects.get(key(name));
        Map<String, Integer> aliases = bytes.isEmpty() ? Map.of() : parse(name, bytes.get());
        if (writes.get() == writesBefore) {
            cache.put(name, new Cached(bytes.isEmpty() ? null : stamp, System.nanoTime(), aliases));
        }
        return aliases;
    }

    private static String key(String name) {
        return PREFIX + name + SUFFIX;
    }
}
