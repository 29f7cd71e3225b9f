package io.hpl.server.store.objects;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the store's files live: whole objects under keys such as {@code models/<name>/<version>/model.json}.
 * Two implementations: a local directory ({@link LocalObjectStore}, the default; keys are the relative
 * paths under its root) and an S3-compatible bucket ({@link S3ObjectStore}). Every write replaces or
 * creates a whole object at once: a reader sees the old content or the new, never part of one.
 * {@link #putIfAbsent} and {@link #replaceIf} settle races between processes: the first for objects
 * created once (version numbers, identical uploads), the second for objects that change (aliases). Failures of the backend itself are {@link io.hpl.server.errors.HplException}s
 * (UNAVAILABLE for an unreachable bucket) or {@link java.io.UncheckedIOException}s.
 */
public interface ObjectStore {

    /** Creates or replaces the object, whole. */
    void put(String key, byte[] content);

    /** Creates the object only if there is none under the key; false (nothing written) when there is. */
    boolean putIfAbsent(String key, byte[] content);

    /**
     * Replaces the object only if it is still the one {@code token} names (a {@link Versioned#token()}
     * read before); with a null token, creates it only if there is none, as {@link #putIfAbsent}. False,
     * nothing written, when another writer changed (or removed) it meanwhile: read again and retry.
     */
    boolean replaceIf(String key, String token, byte[] content);

    /** Creates or replaces the object with the file's content; the file is consumed (moved or deleted). */
    void putFile(String key, Path file);

    /** The object's content, empty when there is none. */
    Optional<byte[]> get(String key);

    /** The object's content with its token for {@link #replaceIf}, empty when there is none. */
    Optional<Versioned> getVersioned(String key);

    /**
     * Something that changes whenever the object is replaced (file identity and time, or ETag); empty
     * when there is no object. Cheap only where {@link #statIsCheap()}.
     */
    Optional<String> stat(String key);

    /** Whether {@link #stat} costs a local system call (true) rather than a request over the network. */
    boolean statIsCheap();

    /**
     * The object as a local file to read (never to write): the file itself in a local store, a copy in
     * this process's download cache otherwise (for objects that never change under their key: datasets,
     * model versions). Empty when there is no object.
     */
    Optional<Path> localFile(String key);

    /** Every object whose key starts with {@code prefix} (which ends in '/'), with its {@link #stat} stamp. */
    List<StoredObject> list(String prefix);

    /** The names one level below {@code prefix} (which ends in '/'): "folders" and objects alike, sorted. */
    List<String> children(String prefix);

    /** Deletes the object if there is one. */
    void delete(String key);

    /** Deletes every object under {@code prefix} (which ends in '/'). */
    void deletePrefix(String prefix);

    /** Where the objects are, for logs and messages. */
    String describe();

    /** Who this process is (host, process id, start time), as written into claims it makes. */
    static String owner() {
        return TempArea.OWNER;
    }

    /** An object's content and a token that changes whenever the object is replaced. */
    record Versioned(byte[] content, String token) {
    }

    /** A key and its {@link #stat} stamp, as listed. */
    record StoredObject(String key, String stamp) {
    }
}
