package io.hpl.server.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Model versions on the local file system: {@code models/<name>/<version>/} holds model.onnx and
 * model.json. A version is published with one atomic rename (see {@link StoreFiles}); a directory
 * without model.json is never listed. {@code model-versions/<name>} holds the highest version ever
 * published under a name, so numbers are never reused after a delete. {@code model-aliases/<name>.json}
 * holds the model's aliases ({@link ModelAliases}); {@link #resolve} is the one place where a name with a
 * version or alias becomes a concrete version.
 */
public final class ModelStore {
    static final String ONNX = "model.onnx";
    static final String METADATA = "model.json";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path models;
    private final Path tmp;
    private final Path highWater;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ConcurrentMap<Path, CachedRecord> records = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, CachedVersions> versionLists = new ConcurrentHashMap<>();
    private final PublishHook hook;
    private final ModelAliases aliases;
    /** Runs before an alias moves to a version (the serving layer warm-loads it); guarded by this. */
    private GoingLive goingLive = record -> { };

    /** Called between writing a version aside and renaming it into place; tests use it to simulate a crash. */
    interface PublishHook {
        void beforeRename(Path staged) throws IOException;
    }

    /** Told before an alias moves to a version, so that version is ready when callers get it. */
    public interface GoingLive {
        void before(ModelRecord record);
    }

    public ModelStore(Path root) {
        this(root, staged -> { });
    }

    ModelStore(Path root, PublishHook hook) {
        this.models = root.resolve("models");
        this.tmp = root.resolve("tmp").resolve("models");
        this.highWater = root.resolve("model-versions");
        this.hook = hook;
        this.aliases = new ModelAliases(root.resolve("model-aliases"), tmp);
        StoreFiles.clearTemp(tmp);
    }

    public static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw HplException.invalid("model_name " + EchoedInput.quote(name) + " is not valid: use 1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }

    /** Registers what runs before an alias moves (one listener: the serving layer's warm-up). */
    public synchronized void onGoingLive(GoingLive listener) {
        this.goingLive = listener;
    }

    /** Publishes a new version of {@code draft.name()} as a training run does without {@code promote}. */
    public ModelRecord publish(ModelRecord draft, byte[] onnx) {
        return publish(draft, onnx, false);
    }

    /**
     * Publishes a new version of {@code draft.name()}; returns the record as stored. With
     * {@code promote} the default alias moves to it (created if missing) once the {@link GoingLive}
     * listener has readied it. Without, no alias moves: a model with the default alias keeps serving its
     * target at version 0, one without it serves its latest (this new one), as before aliases existed
     * (docs/decisions.md, "Aliases and promote").
     */
    public synchronized ModelRecord publish(ModelRecord draft, byte[] onnx, boolean promote) {
        validateName(draft.name());
        // Never below the high-water mark: a client pinned to version N must never get another model
        // under N after N was deleted. The listing also counts, in case a crash came between the
        // rename and the mark's update.
        int version = Math.max(latestVersion(draft.name()).orElse(0), highestEverPublished(draft.name())) + 1;
        ModelRecord record = draft.published(version, sha256(onnx), onnx.length,
                Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        Path staged = null;
        try {
            staged = StoreFiles.newTempDir(tmp);
            StoreFiles.writeDurably(staged.resolve(ONNX), onnx);
            StoreFiles.writeDurably(staged.resolve(METADATA), json.writeValueAsBytes(record));
            hook.beforeRename(staged);
            String name = draft.name();
            StoreFiles.moveAtomically(staged, versionDir(name, version));
            StoreFiles.replaceAtomically(highWater.resolve(name), Integer.toString(version).getBytes(StandardCharsets.US_ASCII), tmp);
            if (promote) {
                warmUp(record);
                aliases.put(name, ModelAliases.DEFAULT, version);
            }
            return record;
        } catch (IOException e) {
            if (staged != null) {
                StoreFiles.deleteRecursively(staged);
            }
            throw new UncheckedIOException("cannot publish model " + draft.name() + " version " + version, e);
        }
    }

    /** Version 0 means the default alias's version when the model has that alias, else the latest. */
    public Optional<ModelRecord> find(String name, int version) {
        return find(name, version, false);
    }

    private Optional<ModelRecord> find(String name, int version, boolean listedAgain) {
        validateName(name);
        if (version < 0) {
            throw HplException.invalid("version must be 0 (the default alias's version, else the latest) or positive, got " + version);
        }
        Optional<Integer> resolved = version == 0
                ? Optional.ofNullable(aliases.of(name).get(ModelAliases.DEFAULT)).or(() -> latestVersion(name))
                : Optional.of(version);
        Optional<ModelRecord> record = resolved.flatMap(v -> read(versionDir(name, v)));
        if (record.isEmpty() && version == 0 && !listedAgain) {
            versionLists.remove(name);
            return find(name, 0, true); // a cached latest that is gone: list again, once
        }
        return record;
    }

    public ModelRecord get(String name, int version) {
        return find(name, version).orElseThrow(() -> HplException.notFound(version == 0
                ? "model '" + name + "' not found"
                : "model '" + name + "' has no version " + version + versionsHint(name)));
    }

    /** The one resolution of a request's model: name + version or alias → the concrete version's record. */
    public ModelRecord resolve(ModelRef ref) {
        if (!ref.hasAlias()) {
            return get(ref.name(), ref.version());
        }
        Integer target = aliases.of(ref.name()).get(ref.alias());
        if (target == null) {
            if (versions(ref.name()).isEmpty()) {
                throw HplException.notFound("model '" + ref.name() + "' not found");
            }
            throw HplException.notFound("model '" + ref.name() + "' has no alias '" + ref.alias() + "'"
                    + " (aliases: " + aliases.of(ref.name()).keySet() + "): set it with SetAlias");
        }
        return find(ref.name(), target).orElseThrow(() -> HplException.notFound("alias '" + ref.alias() + "' of model '"
                + ref.name() + "' points to version " + target + ", which is not there" + versionsHint(ref.name())));
    }

    /** The alias that decides what version 0 serves when a model has it. */
    public static String defaultAlias() {
        return ModelAliases.DEFAULT;
    }

    /** A model's aliases, alias → version, sorted by alias. */
    public Map<String, Integer> aliases(String name) {
        validateName(name);
        return aliases.of(name);
    }

    /** The aliases that point at this version, sorted. */
    public List<String> aliasesOf(ModelRecord record) {
        return aliases.of(record.name()).entrySet().stream().filter(e -> e.getValue() == record.version())
                .map(Map.Entry::getKey).toList();
    }

    /**
     * Points {@code alias} at {@code version} (which must exist), after the {@link GoingLive} listener
     * has readied it; returns the version it pointed to before, 0 if none. Moves are serialised.
     */
    public synchronized int setAlias(String name, String alias, int version) {
        validateName(name);
        ModelAliases.validateAlias(alias);
        if (version <= 0) {
            throw HplException.invalid("version must be the version the alias should point to (1 or more), got " + version);
        }
        ModelRecord record = get(name, version);
        warmUp(record);
        Integer before = aliases.of(name).get(alias);
        aliases.put(name, alias, version);
        return before == null ? 0 : before;
    }

    /** Removes an alias; returns the version it pointed to. NOT_FOUND if the model has no such alias. */
    public synchronized int deleteAlias(String name, String alias) {
        validateName(name);
        ModelAliases.validateAlias(alias);
        Integer was = aliases.remove(name, alias);
        if (was == null) {
            throw HplException.notFound("model '" + name + "' has no alias '" + alias + "' (aliases: "
                    + aliases.of(name).keySet() + ")");
        }
        return was;
    }

    private void warmUp(ModelRecord record) {
        goingLive.before(record);
    }

    private String versionsHint(String name) {
        List<Integer> versions = versions(name);
        return versions.isEmpty() ? " (no such model)" : " (versions: " + versions + ")";
    }

    /** Every version of every model (or of one model when {@code name} is non-empty), by name then version. */
    public List<ModelRecord> list(String name) {
        List<String> names = new ArrayList<>();
        if (name != null && !name.isEmpty()) {
            validateName(name);
            names.add(name);
        } else if (Files.isDirectory(models)) {
            try (Stream<Path> dirs = Files.list(models)) {
                dirs.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches()).sorted().forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<ModelRecord> records = new ArrayList<>();
        for (String n : names) {
            for (int v : versions(n)) {
                read(versionDir(n, v)).ifPresent(records::add);
            }
        }
        return records;
    }

    /**
     * The key {@link #list} is sorted by, as text that sorts the same way (for {@link Pages}): NUL sorts
     * below every character a name may hold, so "a" and its versions come before "a-b".
     */
    public static String listKey(ModelRecord r) {
        return r.name() + "\u0000" + String.format("%010d", r.version());
    }

    /** Deletes one version, or every version when {@code version} is 0; returns how many went. */
    public synchronized int delete(String name, int version) {
        get(name, version == 0 ? 0 : version); // NOT_FOUND when there is nothing to delete
        List<Integer> doomed = version == 0 ? versions(name) : List.of(version);
        // An alias never dangles: callers pinned to it would get NOT_FOUND with no warning.
        List<String> pointing = aliases.of(name).entrySet().stream().filter(e -> doomed.contains(e.getValue()))
                .map(e -> "'" + e.getKey() + "' -> version " + e.getValue()).toList();
        if (!pointing.isEmpty()) {
            throw HplException.precondition("model '" + name + "': cannot delete " + (version == 0 ? "every version" : "version " + version)
                    + " while alias " + String.join(", ", pointing) + " points to it: move the alias (SetAlias) or delete it"
                    + " (DeleteAlias) first");
        }
        try {
            for (int v : doomed) {
                StoreFiles.retire(versionDir(name, v), tmp);
            }
            if (versions(name).isEmpty()) {
                Files.deleteIfExists(models.resolve(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete model " + name, e);
        }
        return doomed.size();
    }

    public byte[] readOnnx(ModelRecord record) {
        try {
            return Files.readAllBytes(versionDir(record.name(), record.version()).resolve(ONNX));
        } catch (IOException e) {
            throw HplException.notFound("model " + EchoedInput.quote(record.name()) + " version " + record.version() + " was deleted");
        }
    }

    /** The version's metadata file (model.json) as stored, for DownloadModel. */
    public byte[] readMetadata(ModelRecord record) {
        try {
            return Files.readAllBytes(versionDir(record.name(), record.version()).resolve(METADATA));
        } catch (IOException e) {
            throw HplException.notFound("model " + EchoedInput.quote(record.name()) + " version " + record.version() + " was deleted");
        }
    }

    /** The per-model high-water mark: the highest version ever published, deleted ones included (0 if none). */
    int highestEverPublished(String name) {
        Path file = highWater.resolve(name);
        try {
            return Files.isRegularFile(file) ? Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("unreadable version high-water mark " + file,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    private Optional<Integer> latestVersion(String name) {
        List<Integer> versions = versions(name);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** A model directory's published versions, with the directory's identity and time when they were listed. */
    private record CachedVersions(Object fileKey, FileTime modified, long listedAtMillis, List<Integer> versions) {
        /**
         * A version is published or retired by a rename in the model's directory, which moves its
         * modification time; but that time has a coarse clock (milliseconds or worse), so a listing taken
         * within the same tick as a change might miss it with the time unchanged. A listing is trusted
         * only when it was taken well after the directory's last change (as git's "racy clean" rule).
         */
        boolean stillValid(BasicFileAttributes now) {
            return Objects.equals(fileKey, now.fileKey()) && modified.equals(now.lastModifiedTime())
                    && listedAtMillis - modified.toMillis() > RACY_MILLIS;
        }
    }

    /** How long after a directory's change its listing is still re-read on every call (see CachedVersions). */
    private static final long RACY_MILLIS = 2_000;

    /**
     * Published versions only: directories with their metadata in place, ascending. Version 0 (the
     * latest) resolves here on every Predict: the listing is cached against the directory's identity and
     * modification time, so a call costs one stat instead of a directory read and a stat per version
     * (about 0.1 ms of a one-row Predict's 0.36 ms on the server, measured), and replicas sharing
     * the store still see each other's publishes and deletes.
     */
    private List<Integer> versions(String name) {
        Path dir = models.resolve(name);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (IOException e) {
            attributes = null; // no such model (or removed meanwhile)
        }
        if (attributes == null || !attributes.isDirectory()) {
            versionLists.remove(name);
            return List.of();
        }
        CachedVersions cached = versionLists.get(name);
        if (cached != null && cached.stillValid(attributes)) {
            return cached.versions();
        }
        long listedAt = System.currentTimeMillis();
        List<Integer> listed = listVersions(dir);
        versionLists.put(name, new CachedVersions(attributes.fileKey(), attributes.lastModifiedTime(), listedAt, listed));
        return listed;
    }

    private static List<Integer> listVersions(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve(METADATA)))
                    .map(p -> p.getFileName().toString())
                    .filter(s -> s.matches("[1-9][0-9]{0,8}"))
                    .map(Integer::parseInt)
                    .sorted(Comparator.naturalOrder())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A parsed model.json and the file attributes it was parsed at. */
    private record CachedRecord(FileTime modified, long size, ModelRecord record) {
    }

    /**
     * model.json parsed once per file version: every Predict resolves its model here, and parsing
     * the JSON (a schema with every category) cost more than scoring one row. One stat a call still
     * sees a delete or a rewrite, by this process or another sharing the store.
     */
    private Optional<ModelRecord> read(Path versionDir) {
        Path file = versionDir.resolve(METADATA);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            records.remove(file);
            return Optional.empty(); // no such version (or deleted meanwhile)
        }
        if (!attributes.isRegularFile()) {
            return Optional.empty();
        }
        CachedRecord cached = records.get(file);
        if (cached != null && cached.modified().equals(attributes.lastModifiedTime()) && cached.size() == attributes.size()) {
            return Optional.of(cached.record());
        }
        try {
            ModelRecord record = json.readValue(file.toFile(), ModelRecord.class);
            records.put(file, new CachedRecord(attributes.lastModifiedTime(), attributes.size(), record));
            return Optional.of(record);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable model metadata " + file, e);
        }
    }

    private Path versionDir(String name, int version) {
        return models.resolve(name).resolve(Integer.toString(version));
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
