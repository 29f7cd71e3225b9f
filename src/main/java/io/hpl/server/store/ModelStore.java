package io.hpl.server.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import io.hpl.server.store.objects.LocalObjectStore;
import io.hpl.server.store.objects.ObjectStore;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Model versions in the {@link ObjectStore}: {@code models/<name>/<version>/} holds model.onnx and
 * model.json. A version number is taken first, with a conditional create of the version's {@code claim}
 * (two publishers, in this process or in another sharing the store, never take the same number); then
 * the ONNX graph is written, and model.json last: a version without model.json is never listed, so
 * readers see whole versions only. A deleted version keeps its claim and {@code model-versions/<name>}
 * holds the highest version ever published, so numbers are never reused after a delete.
 * {@code model-aliases/<name>.json} holds the model's aliases ({@link ModelAliases}); {@link #resolve}
 * is the one place where a name with a version or alias becomes a concrete version.
 *
 * <p>Reads are cached, the same way on every backend: what this store writes (publish, delete, alias
 * moves) counts at the next read; what another process sharing the store writes counts once listings and
 * aliases are re-read, after {@code refreshInterval}, and {@link #refresh()} (run on that schedule)
 * readies versions that aliases moved to elsewhere. So resolving a warm model costs no I/O on the
 * Predict path (on a local store its stats were a third of a one-row Predict's server time). With a zero
 * interval a local store checks the files at every read instead (a stat each, exact across processes).
 */
public final class ModelStore {
    static final String ONNX = "model.onnx";
    static final String METADATA = "model.json";
    static final String CLAIM = "claim";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    private static final Logger LOG = Logger.getLogger(ModelStore.class);
    private static final String MODELS = "models/";
    private static final String HIGH_WATER = "model-versions/";
    private static final String ALIASES = ModelAliases.PREFIX;

    private final ObjectStore objects;
    private final long refreshNanos;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Parsed model.json files by model, then version: a listing re-read prunes its model's entries alone. */
    private final ConcurrentMap<String, ConcurrentMap<Integer, CachedRecord>> records = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timed<List<Integer>>> versionLists = new ConcurrentHashMap<>();
    /**
     * Counts this store's publishes and deletes: a listing read while one landed is not cached, or a
     * Predict that listed just before a publish could hide the new version for a whole interval.
     */
    private final AtomicLong listingWrites = new AtomicLong();
    private final PublishHook hook;
    private final ModelAliases aliases;
    /** Alias objects as last seen by {@link #refresh()}: key → stamp. */
    private final Map<String, String> aliasStamps = new ConcurrentHashMap<>();
    /** Alias maps as {@link #refresh()} last read them, by model. */
    private final Map<String, Map<String, Integer>> refreshedAliases = new ConcurrentHashMap<>();
    /** Whether {@link #refresh()} ran (its first run only notes what is there); guarded by this. */
    private boolean refreshed;
    /** Runs before an alias moves to a version (the serving layer warm-loads it); guarded by this. */
    private volatile GoingLive goingLive = record -> { };

    /** Called between writing a version's ONNX and its model.json; tests use it to simulate a crash. */
    interface PublishHook {
        void beforeManifest(ModelRecord record) throws IOException;
    }

    /** Told before an alias moves to a version, so that version is ready when callers get it. */
    public interface GoingLive {
        void before(ModelRecord record);
    }

    /** A store in a local directory. */
    public ModelStore(Path root) {
        this(new LocalObjectStore(root), Duration.ZERO);
    }

    /** A store in {@code objects}; listings and aliases other processes change are re-read every {@code refreshInterval}. */
    public ModelStore(ObjectStore objects, Duration refreshInterval) {
        this(objects, refreshInterval, record -> { });
    }

    ModelStore(Path root, PublishHook hook) {
        this(new LocalObjectStore(root), Duration.ZERO, hook);
    }

    ModelStore(ObjectStore objects, Duration refreshInterval, PublishHook hook) {
        this.objects = objects;
        this.refreshNanos = refreshInterval.toNanos();
        this.hook = hook;
        this.aliases = new ModelAliases(objects, refreshNanos);
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
        String name = draft.name();
        int version = claimNextVersion(name);
        ModelRecord record = draft.published(version, sha256(onnx), onnx.length,
                Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        String prefix = versionPrefix(name, version);
        try {
            objects.put(prefix + ONNX, onnx);
            hook.beforeManifest(record);
            objects.put(prefix + METADATA, json.writeValueAsBytes(record)); // last: now the version lists
        } catch (IOException | RuntimeException e) {
            // Never listed, so nobody can have seen the number: give it back.
            try {
                objects.delete(prefix + ONNX);
                objects.delete(prefix + CLAIM);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot publish model " + name + " version " + version, io);
            }
            throw (RuntimeException) e;
        }
        forgetListing(name);
        raiseHighWater(name, version);
        if (promote) {
            warmUp(record);
            aliases.put(name, ModelAliases.DEFAULT, version);
        }
        return record;
    }

    /**
     * Takes the next free version number: above every version listed or claimed and above the
     * high-water mark (a client pinned to version N must never get another model under N after N was
     * deleted), by creating its claim only if absent; a number another publisher took meanwhile is
     * skipped.
     */
    private int claimNextVersion(String name) {
        int highest = highestEverPublished(name);
        for (String child : objects.children(MODELS + name + "/")) {
            if (VERSION.matcher(child).matches()) {
                highest = Math.max(highest, Integer.parseInt(child));
            }
        }
        byte[] claim = (ObjectStore.owner() + " " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
        for (int candidate = highest + 1; ; candidate++) {
            if (objects.putIfAbsent(versionPrefix(name, candidate) + CLAIM, claim)) {
                return candidate;
            }
        }
    }

    /** Raises the model's high-water mark to {@code version} (never lowers it). */
    private void raiseHighWater(String name, int version) {
        if (highestEverPublished(name) < version) {
            objects.put(HIGH_WATER + name, Integer.toString(version).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Version 0 means the default alias's version when the model has that alias, else the latest. */
    public Optional<ModelRecord> find(String name, int version) {
        validateName(name);
        if (version < 0) {
            throw HplException.invalid("version must be 0 (the default alias's version, else the latest) or positive, got " + version);
        }
        Optional<Integer> resolved = version == 0
                ? Optional.ofNullable(aliases.of(name).get(ModelAliases.DEFAULT)).or(() -> latestVersion(name))
                : Optional.of(version);
        return resolved.flatMap(v -> read(name, v));
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
        Integer before = aliases.put(name, alias, version); // what it replaced in the store, not a cached view
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
        } else {
            objects.children(MODELS).stream().filter(n -> NAME.matcher(n).matches()).sorted().forEach(names::add);
        }
        List<ModelRecord> records = new ArrayList<>();
        for (String n : names) {
            for (int v : versions(n)) {
                read(n, v).ifPresent(records::add);
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
        validateName(name);
        forgetListing(name); // what the store holds now, not what a replica cached: versions published elsewhere too
        get(name, version == 0 ? 0 : version); // NOT_FOUND when there is nothing to delete
        List<Integer> doomed = version == 0 ? versions(name) : List.of(version);
        // An alias never dangles: callers pinned to it would get NOT_FOUND with no warning.
        List<String> pointing = aliases.reload(name).entrySet().stream().filter(e -> doomed.contains(e.getValue()))
                .map(e -> "'" + e.getKey() + "' -> version " + e.getValue()).toList();
        if (!pointing.isEmpty()) {
            throw HplException.precondition("model '" + name + "': cannot delete " + (version == 0 ? "every version" : "version " + version)
                    + " while alias " + String.join(", ", pointing) + " points to it: move the alias (SetAlias) or delete it"
                    + " (DeleteAlias) first");
        }
        // model.json first: the version stops listing at once; its claim stays, so its number is never taken again.
        for (int v : doomed) {
            objects.delete(versionPrefix(name, v) + METADATA);
            objects.delete(versionPrefix(name, v) + ONNX);
            forgetRecord(name, v);
        }
        raiseHighWater(name, doomed.stream().mapToInt(Integer::intValue).max().orElse(0));
        forgetListing(name);
        return doomed.size();
    }

    public byte[] readOnnx(ModelRecord record) {
        return objects.get(versionPrefix(record.name(), record.version()) + ONNX).orElseThrow(() -> deleted(record));
    }

    /** The version's metadata file (model.json) as stored, for DownloadModel. */
    public byte[] readMetadata(ModelRecord record) {
        return objects.get(versionPrefix(record.name(), record.version()) + METADATA).orElseThrow(() -> deleted(record));
    }

    private static HplException deleted(ModelRecord record) {
        return HplException.notFound("model " + EchoedInput.quote(record.name()) + " version " + record.version() + " was deleted");
    }

    /** The per-model high-water mark: the highest version ever published, deleted ones included (0 if none). */
    int highestEverPublished(String name) {
        Optional<byte[]> mark = objects.get(HIGH_WATER + name);
        try {
            return mark.isEmpty() ? 0 : Integer.parseInt(new String(mark.get(), StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new UncheckedIOException("unreadable version high-water mark " + HIGH_WATER + name + " in "
                    + objects.describe(), new IOException(e));
        }
    }

    /** Whether every read checks the store (a zero interval on a local store) instead of trusting the caches. */
    private boolean exactReads() {
        return exactReads(objects, refreshNanos);
    }

    /** The rule behind {@link #exactReads()}, for the aliases this store owns too. */
    static boolean exactReads(ObjectStore objects, long refreshNanos) {
        return refreshNanos == 0 && objects.statIsCheap();
    }

    private Optional<Integer> latestVersion(String name) {
        if (exactReads()) {
            // Exact reads resolve version 0 here on every Predict: the model folder's entries and one stat of
            // the newest version's model.json, instead of a walk over every file of every version.
            List<Integer> numbers = objects.children(MODELS + name + "/").stream()
                    .filter(child -> VERSION.matcher(child).matches())
                    .map(Integer::parseInt)
                    .sorted(Comparator.reverseOrder())
                    .toList();
            for (int v : numbers) {
                if (objects.stat(versionPrefix(name, v) + METADATA).isPresent()) {
                    return Optional.of(v);
                }
            }
            return Optional.empty();
        }
        List<Integer> versions = versions(name);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    private void forgetListing(String name) {
        listingWrites.incrementAndGet();
        versionLists.remove(name);
    }

    /** Published versions only: those with their model.json in place, ascending. */
    private List<Integer> versions(String name) {
        if (refreshNanos > 0) {
            Timed<List<Integer>> cached = versionLists.get(name);
            if (cached != null && cached.fresh(refreshNanos)) {
                return cached.value();
            }
        }
        long writesBefore = listingWrites.get();
        String prefix = MODELS + name + "/";
        List<Integer> versions = objects.list(prefix).stream()
                .map(o -> o.key().substring(prefix.length()))
                .filter(rest -> rest.endsWith("/" + METADATA))
                .map(rest -> rest.substring(0, rest.length() - METADATA.length() - 1))
                .filter(v -> VERSION.matcher(v).matches())
                .map(Integer::parseInt)
                .sorted(Comparator.naturalOrder())
                .toList();
        if (refreshNanos > 0 && listingWrites.get() == writesBefore) {
            versionLists.put(name, new Timed<>(versions, System.nanoTime()));
        }
        // Versions gone from the store (another process deleted them) leave the parsed-record cache too,
        // or it would keep every schema ever read until a restart.
        ConcurrentMap<Integer, CachedRecord> ofModel = records.get(name);
        if (ofModel != null) {
            ofModel.keySet().retainAll(Set.copyOf(versions));
        }
        return versions;
    }

    /** How many parsed model.json files the read cache holds (tests). */
    int cachedRecords() {
        return records.values().stream().mapToInt(Map::size).sum();
    }

    /** A value and the System.nanoTime() it was read at. */
    record Timed<T>(T value, long readAt) {
        boolean fresh(long maxAgeNanos) {
            return System.nanoTime() - readAt < maxAgeNanos;
        }
    }

    private void forgetRecord(String name, int version) {
        ConcurrentMap<Integer, CachedRecord> ofModel = records.get(name);
        if (ofModel != null) {
            ofModel.remove(version);
        }
    }

    /** A parsed model.json and the stamp (local) or time (remote) it was read at. */
    private record CachedRecord(String stamp, long readAt, ModelRecord record) {
    }

    /**
     * model.json parsed once per version: every Predict resolves its model here, and parsing the JSON
     * (a schema with every category) cost more than scoring one row. A version's model.json never
     * changes, and the cached listing (re-read every refresh interval, at once after a delete here)
     * says whether it is still there; with {@link #exactReads} one stat a call sees a delete by any process.
     */
    private Optional<ModelRecord> read(String name, int version) {
        String key = versionPrefix(name, version) + METADATA;
        ConcurrentMap<Integer, CachedRecord> ofModel = records.get(name);
        CachedRecord cached = ofModel == null ? null : ofModel.get(version);
        String stamp = null;
        if (exactReads()) {
            Optional<String> current = objects.stat(key);
            if (current.isEmpty()) {
                forgetRecord(name, version);
                return Optional.empty(); // no such version (or deleted meanwhile)
            }
            stamp = current.get();
            if (cached != null && stamp.equals(cached.stamp())) {
                return Optional.of(cached.record());
            }
        } else if (cached != null && versions(name).contains(version)) {
            return Optional.of(cached.record());
        }
        Optional<byte[]> bytes = objects.get(key);
        if (bytes.isEmpty()) {
            forgetRecord(name, version);
            return Optional.empty();
        }
        try {
            ModelRecord record = json.readValue(bytes.get(), ModelRecord.class);
            records.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                    .put(version, new CachedRecord(stamp, System.nanoTime(), record));
            return Optional.of(record);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable model metadata " + key + " in " + objects.describe(), e);
        }
    }

    /**
     * Re-reads the aliases other processes moved and readies their new targets (the {@link GoingLive}
     * listener warm-loads them), so the first Predict after a promotion elsewhere does not pay the load.
     * The first call only notes what is there. Returns the versions readied.
     */
    public List<ModelRecord> refresh() {
        List<ObjectStore.StoredObject> files = objects.list(ALIASES);
        boolean first;
        synchronized (this) {
            first = !refreshed;
            refreshed = true;
        }
        versionLists.clear(); // listings re-read at the next call
        List<ModelRecord> readied = new ArrayList<>();
        for (ObjectStore.StoredObject file : files) {
            String before = aliasStamps.put(file.key(), file.stamp());
            if (first || file.stamp().equals(before) || aliases.writtenHere(file.key(), file.stamp())) {
                continue;
            }
            String name = ModelAliases.modelOf(file.key());
            if (name == null || !NAME.matcher(name).matches()) {
                continue;
            }
            // Compared with what the last refresh saw, not with the read cache: a Predict may have re-read
            // the aliases meanwhile, and its target must still be readied (a no-op if that Predict loaded it).
            Map<String, Integer> current = aliases.reload(name);
            Map<String, Integer> previous = refreshedAliases.put(name, current);
            if (previous == null) {
                previous = Map.of();
            }
            for (Map.Entry<String, Integer> alias : current.entrySet()) {
                if (alias.getValue().equals(previous.get(alias.getKey()))) {
                    continue;
                }
                find(name, alias.getValue()).ifPresent(record -> {
                    try {
                        warmUp(record);
                        readied.add(record);
                    } catch (RuntimeException e) {
                        LOG.warnf("model %s version %d (alias '%s' moved by another process) cannot be loaded: %s", name,
                                record.version(), alias.getKey(), e.getMessage());
                    }
                });
            }
        }
        return readied;
    }

    private static String versionPrefix(String name, int version) {
        return MODELS + name + "/" + version + "/";
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
