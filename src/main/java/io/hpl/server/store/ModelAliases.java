package io.hpl.server.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Each model's aliases (alias → version), one file a model: {@code model-aliases/<name>.json}, replaced
 * whole by write-aside and atomic rename, so a crash leaves either the old map or the new one.
 * Writers are serialised by the {@link ModelStore} that owns this (its monitor); readers see an
 * immutable map from a cache, so Predict does not parse a file per call. The cache is checked against
 * the file's identity (inode and modification time: every write is a rename, so a new inode) with one
 * stat per read, so replicas sharing a store see each other's moves.
 */
final class ModelAliases {
    /** The alias that decides what version 0 serves, when a model has it. */
    static final String DEFAULT = "production";
    private static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final Path dir;
    private final Path tmp;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** A file's aliases as read, with what identified the file then (null: there was no file). */
    private record Cached(Object fileKey, FileTime modified, Map<String, Integer> aliases) {
    }

    ModelAliases(Path dir, Path tmp) {
        this.dir = dir;
        this.tmp = tmp;
    }

    static void validateAlias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw HplException.invalid("alias " + EchoedInput.quote(alias) + " is not valid: use 1 to 32 lowercase letters,"
                    + " digits or '-', starting with a letter (e.g. 'production', 'candidate')");
        }
    }

    /** The model's aliases, sorted by alias; empty if it has none. */
    Map<String, Integer> of(String name) {
        Path file = file(name);
        if (!file.toFile().exists()) {
            // Most models have no aliases: java.io's stat answers without the NoSuchFileException that
            // NIO throws (and fills a stack trace for) on every Predict of such a model.
            return Map.of();
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the aliases of model " + name, e);
        }
        Cached cached = cache.get(name);
        if (cached != null && Objects.equals(cached.fileKey(), attributes.fileKey())
                && cached.modified().equals(attributes.lastModifiedTime())) {
            return cached.aliases();
        }
        Map<String, Integer> aliases = read(file);
        cache.put(name, new Cached(attributes.fileKey(), attributes.lastModifiedTime(), aliases));
        return aliases;
    }

    /** Caller holds the store's monitor. */
    void put(String name, String alias, int version) {
        Map<String, Integer> next = new TreeMap<>(of(name));
        next.put(alias, version);
        write(name, next);
    }

    /** Caller holds the store's monitor. Returns the version it pointed to, or null if there was no such alias. */
    Integer remove(String name, String alias) {
        Map<String, Integer> next = new TreeMap<>(of(name));
        Integer was = next.remove(alias);
        if (was != null) {
            write(name, next);
        }
        return was;
    }

    private void write(String name, Map<String, Integer> aliases) {
        Path file = file(name);
        try {
            if (aliases.isEmpty()) {
                Files.deleteIfExists(file);
            } else {
                StoreFiles.replaceAtomically(file, json.writeValueAsBytes(aliases), tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the aliases of model " + name, e);
        }
    }

    private Map<String, Integer> read(Path file) {
        try {
            return Collections.unmodifiableMap(new TreeMap<>(json.readValue(file.toFile(),
                    new TypeReference<Map<String, Integer>>() { })));
        } catch (NoSuchFileException e) {
            return Map.of(); // deleted between the stat and the read
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable model aliases " + file, e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }
}
