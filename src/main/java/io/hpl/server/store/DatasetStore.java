package io.hpl.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.hpl.server.data.CsvDatasetReader;
import io.hpl.server.data.DatasetOptions;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.RowChunks;
import io.hpl.server.data.TableRowChunks;
import io.hpl.server.data.Table;
import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.ImageArchiveReader;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import io.hpl.server.store.objects.LocalObjectStore;
import io.hpl.server.store.objects.ObjectStore;
import io.hpl.server.store.objects.TempArea;

/**
 * Uploaded datasets in the {@link ObjectStore}, content-addressed: {@code datasets/<id>/} holds the
 * uploaded {@code data.csv} and its {@code dataset.json} ({@link DatasetRecord}); an image dataset holds
 * the uploaded {@code data.archive} and its decoded {@code images.table} ({@link TableFile}) instead of
 * {@code data.csv}. Every image is decoded before the dataset is published.
 *
 * <p>A dataset is its files first and its {@code dataset.json} last, created only if absent: readers
 * and a crash only ever see whole datasets (a folder without {@code dataset.json} is never a dataset),
 * and a race between two identical uploads, in one process or two, is settled by that create (the
 * loser returns the winner's record). A deletion removes {@code dataset.json} first. Uploads are
 * received into this process's files in {@code <root>/tmp/datasets/}; what a crashed process left
 * there is removed at the next start (never the files of a process still running). On S3, the files
 * are read from a local copy downloaded once (a dataset's files never change under its id).
 */
public final class DatasetStore {

    private static final String DATA_FILE = "data.csv";
    private static final String ARCHIVE_FILE = "data.archive";
    private static final String IMAGE_TABLE_FILE = "images.table";
    private static final String RECORD_FILE = "dataset.json";
    private static final String PREFIX = "datasets/";
    private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,64}");
    /** Hex digits of the digest kept in an id: 96 bits, plenty against accidental collisions. */
    private static final int ID_HEX_DIGITS = 24;

    private final ObjectStore objects;
    private final TempArea tmp;
    /** Records read, by id: a dataset's record never changes (content-addressed), only whether it is there. */
    private final java.util.concurrent.ConcurrentMap<String, DatasetRecord> records = new java.util.concurrent.ConcurrentHashMap<>();
    private final long maxUploadBytes;
    private final UploadQuota quota;
    private final CsvDatasetReader reader;
    private final ImageArchiveReader imageReader;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer versions may add fields

    public DatasetStore(Path root) {
        this(root, UploadLimits.DEFAULTS, ImageLimits.DEFAULTS, TableLimits.DEFAULTS);
    }

    /** A store under {@code root}, refusing uploads over {@code maxUploadBytes}; removes leftovers of a crash. */
    public DatasetStore(Path root, long maxUploadBytes) {
        this(root, maxUploadBytes, ImageLimits.DEFAULTS);
    }

    /** As above, with the memory limits for image archives. */
    public DatasetStore(Path root, long maxUploadBytes, ImageLimits imageLimits) {
        this(root, maxUploadBytes, imageLimits, TableLimits.DEFAULTS);
    }

    /** As above, with the limits for table cells and categories. */
    public DatasetStore(Path root, long maxUploadBytes, ImageLimits imageLimits, TableLimits tableLimits) {
        this(root, new UploadLimits(maxUploadBytes, UploadLimits.DEFAULTS.maxInFlight(), UploadLimits.DEFAULTS.maxStoredBytes()),
                imageLimits, tableLimits);
    }

    /** A store under {@code root} with every limit given; removes leftovers of a crash. */
    public DatasetStore(Path root, UploadLimits uploadLimits, ImageLimits imageLimits, TableLimits tableLimits) {
        this(new LocalObjectStore(root), root, uploadLimits, imageLimits, tableLimits);
        try {
            Files.createDirectories(root.resolve("datasets"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the dataset store under " + root, e);
        }
    }

    /** A store in {@code objects}, receiving uploads under {@code localRoot}/tmp/datasets/. */
    public DatasetStore(ObjectStore objects, Path localRoot, UploadLimits uploadLimits, ImageLimits imageLimits,
                        TableLimits tableLimits) {
        this.objects = objects;
        this.tmp = new TempArea(localRoot.resolve("tmp").resolve("datasets"));
        this.maxUploadBytes = uploadLimits.maxBytes();
        this.imageReader = new ImageArchiveReader(imageLimits);
        this.reader = new CsvDatasetReader(tableLimits);
        this.quota = new UploadQuota(uploadLimits, list().stream().mapToLong(DatasetRecord::sizeBytes).sum());
    }

    /** Starts an upload; the caller appends the file's bytes, then finishes (or aborts) it. */
    public DatasetUpload begin(DatasetHeaderSpec header) {
        // Counted from the store, not from what this process saw: other replicas publish and delete too.
        quota.begin(list().stream().mapToLong(DatasetRecord::sizeBytes).sum());
        try {
            return new DatasetUpload(this, header, tmp.newPath(".upload"), maxUploadBytes, quota);
        } catch (IOException | RuntimeException e) {
            quota.end(0);
            throw e instanceof IOException io ? internal("cannot start the upload", io) : (RuntimeException) e;
        }
    }

    /** Bytes of the stored datasets' uploaded files, as counted against hpl.upload.max-stored-bytes. */
    public long storedBytes() {
        return quota.stored();
    }

    public Optional<DatasetRecord> get(String id) {
        return readRecord(checkedId(id));
    }

    /** Every dataset, oldest first. */
    public List<DatasetRecord> list() {
        List<DatasetRecord> found = new ArrayList<>();
        for (ObjectStore.StoredObject o : objects.list(PREFIX)) {
            String rest = o.key().substring(PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash < 0 || !rest.substring(slash + 1).equals(RECORD_FILE) || !ID.matcher(rest.substring(0, slash)).matches()) {
                continue;
            }
            String id = rest.substring(0, slash);
            DatasetRecord cached = records.get(id);
            if (cached != null) {
                found.add(cached);
            } else {
                readRecord(id).ifPresent(found::add);
            }
        }
        found.sort(Comparator.comparing(DatasetRecord::createdAt).thenComparing(DatasetRecord::id));
        return found;
    }

    /** The key {@link #list()} is sorted by, as text that sorts the same way (for {@link Pages}). */
    public static String listKey(DatasetRecord r) {
        return String.format("%019d%09d", r.createdAt().getEpochSecond(), r.createdAt().getNano()) + "\u0000" + r.id();
    }

    /** Deletes a dataset; false when there was none with that id. */
    public boolean delete(String id) {
        Optional<DatasetRecord> record = get(id);
        String prefix = prefix(id);
        boolean deleted = objects.get(prefix + RECORD_FILE).isPresent();
        objects.delete(prefix + RECORD_FILE); // first: no longer a dataset
        records.remove(id);
        if (deleted) {
            objects.deletePrefix(prefix);
            record.ifPresent(r -> quota.deleted(r.sizeBytes()));
        }
        return deleted;
    }

    /** The dataset's rows, encoded with its own schema. */
    public Table load(String id) {
        DatasetRecord record = require(id);
        return load(record, record.schema());
    }

    /** The dataset's rows, encoded with another schema, e.g. that of a model to be scored on them. */
    public Table load(String id, DatasetSchema fixedSchema) {
        return load(require(id), fixedSchema);
    }

    /**
     * The dataset's rows a chunk at a time, encoded with a model's schema, for scoring without holding
     * the encoded table: a CSV dataset is streamed from its file; an image dataset's decoded table is
     * read whole (it is bounded by the image limits at upload) and handed out in chunks. {@code idColumn}
     * (null for none) names a CSV column whose text comes with each row. The caller closes the result.
     */
    public RowChunks openChunks(String id, DatasetSchema fixedSchema, String idColumn, boolean unlabelledOnly) {
        DatasetRecord record = require(id);
        if (record.schema().isImage() || fixedSchema.isImage()) {
            if (idColumn != null) {
                throw HplException.invalid("id_column: dataset " + EchoedInput.quote(id)
                        + " is an image archive, which keeps no CSV columns; leave id_column empty (rows come with their index)");
            }
            return new TableRowChunks(loadImages(record, fixedSchema), unlabelledOnly);
        }
        Path csv = localFile(record.id(), DATA_FILE);
        try {
            return reader.openChunks(csv, DatasetOptions.withSchema(record.schema().targetColumn(), fixedSchema), idColumn,
                    unlabelledOnly);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw notFound(record.id()); // deleted while we were looking
            }
            throw internal("cannot read dataset " + EchoedInput.quote(record.id()) + "", e.getCause());
        }
    }

    private Table load(DatasetRecord record, DatasetSchema schema) {
        if (record.schema().isImage() || schema.isImage()) {
            return loadImages(record, schema);
        }
        Path csv = localFile(record.id(), DATA_FILE);
        try {
            return reader.read(csv, DatasetOptions.withSchema(record.schema().targetColumn(), schema)).table();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw notFound(record.id()); // deleted while we were looking
            }
            throw internal("cannot read dataset " + EchoedInput.quote(record.id()) + "", e.getCause());
        }
    }

    /** The decoded images, provided the model to be scored takes images of the dataset's shape. */
    private Table loadImages(DatasetRecord record, DatasetSchema schema) {
        DatasetSchema own = record.schema();
        if (!own.isImage() || !schema.isImage() || !own.image().equals(schema.image())) {
            throw HplException.precondition("dataset " + EchoedInput.quote(record.id()) + " holds " + describe(own) + " but the model takes "
                    + describe(schema));
        }
        try {
            Table table = TableFile.read(localFile(record.id(), IMAGE_TABLE_FILE), own);
            return new Table(schema, table.x(), table.y());
        } catch (NoSuchFileException e) {
            throw notFound(record.id()); // deleted while we were looking
        } catch (IOException e) {
            throw internal("cannot read dataset " + EchoedInput.quote(record.id()) + "", e);
        }
    }

    private static String describe(DatasetSchema schema) {
        return schema.isImage() ? "images of " + schema.image() + " (channels x height x width)"
                : "table rows (" + schema.features().size() + " feature columns)";
    }

    private DatasetRecord require(String id) {
        return get(id).orElseThrow(() -> notFound(id));
    }

    /**
     * Publishes an uploaded file (called by {@link DatasetUpload#finish()}): parses it, then moves
     * it and its record into place with one rename. Idempotent: the same bytes and choices give
     * the same id, and an existing dataset is returned as it is.
     */
    DatasetRecord publish(DatasetHeaderSpec header, Path upload, String sha256, long sizeBytes) throws IOException {
        String id = datasetId(sha256, header);
        Optional<DatasetRecord> existing = get(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        Table table = header.isImageArchive()
                ? imageReader.read(upload, header.images()) // decodes every image: nothing is published half valid
                : reader.read(upload, header.options()).table();
        DatasetRecord record = new DatasetRecord(id, header.name(), table.schema(), table.labelledRows(),
                table.unlabelledRows(), sha256, sizeBytes, Instant.now());

        String prefix = prefix(id);
        Path tableFile = null;
        try {
            if (header.isImageArchive()) {
                tableFile = tmp.newPath(".table");
                TableFile.write(tableFile, table);
                objects.putFile(prefix + ARCHIVE_FILE, upload);
                objects.putFile(prefix + IMAGE_TABLE_FILE, tableFile);
            } else {
                objects.putFile(prefix + DATA_FILE, upload);
            }
            // Last, and only if absent: an identical upload that got there first wins (same bytes, same files).
            if (objects.putIfAbsent(prefix + RECORD_FILE, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record))) {
                quota.published(sizeBytes);
                records.put(id, record);
                return record;
            }
            return readRecord(id).orElseThrow(() -> internal("cannot publish dataset " + EchoedInput.quote(id)
                    + ": it was deleted while being uploaded again; upload it once more", null));
        } finally {
            if (tableFile != null) {
                Files.deleteIfExists(tableFile); // gone already when it was stored
            }
        }
    }

    /** The content address of an upload: its bytes' digest together with the header's choices. */
    String datasetId(String sha256, DatasetHeaderSpec header) {
        List<Object> identity = new ArrayList<>();
        identity.add(sha256);
        identity.addAll(header.canonicalChoices());
        byte[] canonical;
        try {
            canonical = json.writeValueAsBytes(identity); // JSON, so no choice of names can collide with another
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String hex = HexFormat.of().formatHex(DatasetUpload.sha256().digest(canonical));
        return "ds-" + hex.substring(0, ID_HEX_DIGITS);
    }

    /** The dataset's file as a local file to read; NOT_FOUND when the dataset was deleted meanwhile. */
    private Path localFile(String id, String file) {
        return objects.localFile(prefix(id) + file).orElseThrow(() -> notFound(id));
    }

    private Optional<DatasetRecord> readRecord(String id) {
        Optional<byte[]> bytes = objects.get(prefix(id) + RECORD_FILE);
        if (bytes.isEmpty()) {
            records.remove(id);
            return Optional.empty(); // not a dataset (or deleted just now)
        }
        DatasetRecord cached = records.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            DatasetRecord record = json.readValue(bytes.get(), DatasetRecord.class);
            records.put(id, record);
            return Optional.of(record);
        } catch (IOException e) {
            throw internal("cannot read " + id + "/" + RECORD_FILE, e);
        }
    }

    private static String checkedId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw HplException.invalid("dataset id " + EchoedInput.quote(id) + " is not valid: ids use only a-z, 0-9 and '-'");
        }
        return id;
    }

    private static String prefix(String id) {
        return PREFIX + checkedId(id) + "/";
    }

    private static HplException notFound(String id) {
        return HplException.notFound("dataset " + EchoedInput.quote(id) + " not found");
    }

    private static HplException internal(String what, Throwable cause) {
        String reason = cause == null ? "" : ": " + cause.getMessage();
        return new HplException(ErrorKind.INTERNAL, what + reason, cause);
    }
}
