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
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Uploaded datasets on disk, content-addressed: {@code <root>/datasets/<id>/} holds the uploaded
 * {@code data.csv} and its {@code dataset.json} ({@link DatasetRecord}); an image dataset holds the
 * uploaded {@code data.archive} and its decoded {@code images.table} ({@link TableFile}) instead of
 * {@code data.csv}. Every image is decoded before the dataset is published.
 *
 * <p>Every change is one atomic rename, so readers and a crash only ever see whole datasets: a
 * dataset is assembled in {@code <root>/tmp/datasets/} and renamed into place; a deletion renames it back
 * into {@code <root>/tmp/} before removing its files. Whatever a crash leaves in {@code tmp/} is
 * removed when the store starts, and a folder without {@code dataset.json} is never a dataset.
 * Thread-safe without locks: uploads write private temporary files, and a race between two
 * identical uploads is settled by the rename (the loser returns the winner's record).
 *
 * <p>One store per root: starting a store empties its {@code tmp/datasets/} folder.
 */
public final class DatasetStore {

    private static final String DATA_FILE = "data.csv";
    private static final String ARCHIVE_FILE = "data.archive";
    private static final String IMAGE_TABLE_FILE = "images.table";
    private static final String RECORD_FILE = "dataset.json";
    private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,64}");
    /** Hex digits of the digest kept in an id: 96 bits, plenty against accidental collisions. */
    private static final int ID_HEX_DIGITS = 24;

    private final Path datasets;
    private final Path tmp;
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
        this.datasets = root.resolve("datasets");
        this.tmp = root.resolve("tmp").resolve("datasets");
        this.maxUploadBytes = uploadLimits.maxBytes();
        this.imageReader = new ImageArchiveReader(imageLimits);
        this.reader = new CsvDatasetReader(tableLimits);
        try {
            Files.createDirectories(datasets);
            StoreFiles.clearTemp(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the dataset store under " + root, e);
        }
        this.quota = new UploadQuota(uploadLimits, list().stream().mapToLong(DatasetRecord::sizeBytes).sum());
    }

    /** Starts an upload; the caller appends the file's bytes, then finishes (or aborts) it. */
    public DatasetUpload begin(DatasetHeaderSpec header) {
        quota.begin();
        try {
            return new DatasetUpload(this, header, tmp.resolve("upload-" + UUID.randomUUID() + ".csv"), maxUploadBytes, quota);
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
        return readRecord(datasetDir(id));
    }

    /** Every dataset, oldest first. */
    public List<DatasetRecord> list() {
        List<DatasetRecord> records = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(datasets)) {
            for (Path dir : dirs.toList()) {
                if (ID.matcher(dir.getFileName().toString()).matches()) {
                    readRecord(dir).ifPresent(records::add);
                }
            }
        } catch (IOException e) {
            throw internal("cannot list datasets", e);
        }
        records.sort(Comparator.comparing(DatasetRecord::createdAt).thenComparing(DatasetRecord::id));
        return records;
    }

    /** The key {@link #list()} is sorted by, as text that sorts the same way (for {@link Pages}). */
    public static String listKey(DatasetRecord r) {
        return String.format("%019d%09d", r.createdAt().getEpochSecond(), r.createdAt().getNano()) + "\u0000" + r.id();
    }

    /** Deletes a dataset; false when there was none with that id. */
    public boolean delete(String id) {
        Optional<DatasetRecord> record = get(id);
        boolean deleted = discard(datasetDir(id));
        if (deleted) {
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
        Path csv = datasetDir(record.id()).resolve(DATA_FILE);
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
        Path csv = datasetDir(record.id()).resolve(DATA_FILE);
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
            Table table = TableFile.read(datasetDir(record.id()).resolve(IMAGE_TABLE_FILE), own);
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

        Path staging = tmp.resolve("publish-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            if (header.isImageArchive()) {
                Files.move(upload, staging.resolve(ARCHIVE_FILE), StandardCopyOption.ATOMIC_MOVE);
                TableFile.write(staging.resolve(IMAGE_TABLE_FILE), table);
            } else {
                Files.move(upload, staging.resolve(DATA_FILE), StandardCopyOption.ATOMIC_MOVE);
            }
            StoreFiles.writeDurably(staging.resolve(RECORD_FILE), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
            Path target = datasetDir(id);
            if (moveIntoPlace(staging, target)) {
                quota.published(sizeBytes);
            } else {
                // Taken meanwhile: by an identical upload (return it), or by a folder that is no
                // dataset, without a readable record (replace it).
                Optional<DatasetRecord> winner = readRecord(target);
                if (winner.isPresent()) {
                    return winner.get();
                }
                discard(target);
                if (!moveIntoPlace(staging, target)) {
                    return readRecord(target).orElseThrow(() -> internal("cannot publish dataset " + EchoedInput.quote(id) + "", null));
                }
                quota.published(sizeBytes);
            }
            return record;
        } finally {
            StoreFiles.deleteRecursively(staging); // gone already when the rename succeeded
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

    /** Renames staging to target atomically; false when target already exists. */
    private static boolean moveIntoPlace(Path staging, Path target) throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileSystemException e) {
            // An atomic rename onto a non-empty folder fails with ENOTEMPTY, which Java reports as
            // a plain FileSystemException: tell it apart from other failures by the target.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            throw e;
        }
    }

    /** Renames a dataset folder aside into tmp/, then deletes it; false when there was none. */
    private boolean discard(Path dir) {
        Path aside = tmp.resolve("deleted-" + UUID.randomUUID());
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw internal("cannot delete " + dir.getFileName(), e);
        }
        try {
            StoreFiles.deleteRecursively(aside);
        } catch (UncheckedIOException e) {
            // Already invisible; the store removes what is left in tmp/ when it next starts.
        }
        return true;
    }

    private Optional<DatasetRecord> readRecord(Path dir) {
        Path file = dir.resolve(RECORD_FILE);
        try {
            return Optional.of(json.readValue(file.toFile(), DatasetRecord.class));
        } catch (IOException e) {
            if (!Files.exists(file)) {
                return Optional.empty(); // not a dataset (or deleted just now)
            }
            throw internal("cannot read " + dir.getFileName() + "/" + RECORD_FILE, e);
        }
    }

    private Path datasetDir(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw HplException.invalid("dataset id " + EchoedInput.quote(id) + " is not valid: ids use only a-z, 0-9 and '-'");
        }
        return datasets.resolve(id);
    }

    private static HplException notFound(String id) {
        return HplException.notFound("dataset " + EchoedInput.quote(id) + " not found");
    }

    private static HplException internal(String what, Throwable cause) {
        String reason = cause == null ? "" : ": " + cause.getMessage();
        return new HplException(ErrorKind.INTERNAL, what + reason, cause);
    }
}
