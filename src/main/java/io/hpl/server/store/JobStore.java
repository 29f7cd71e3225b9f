package io.hpl.server.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Training job records on the local file system, one {@code jobs/<id>.json} each, replaced whole by
 * an atomic rename (see {@link StoreFiles}): a crash leaves the previous record or the new one,
 * never half of one. They outlive the process, so a restart knows which jobs to run again.
 * Beside a record, {@code jobs/<id>.ckpt} holds the running job's latest training checkpoint
 * (written the same way), deleted when the job ends. A job run by a worker elsewhere (the
 * Kubernetes executor) also has its events, one small object each, {@code job-events/<id>/<sequence>.json},
 * written whole (never appended to) and read by the server that relays them to watchers.
 */
public final class JobStore {
    private static final Logger LOG = Logger.getLogger(JobStore.class);
    private static final Pattern ID = Pattern.compile("job-[0-9a-f-]{36}");
    private static final String SUFFIX = ".json";
    private static final String CHECKPOINT_SUFFIX = ".ckpt";

    private final Path jobs;
    private final Path events;
    private final Path tmp;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public JobStore(Path root) {
        this.jobs = root.resolve("jobs");
        this.events = root.resolve("job-events");
        this.tmp = root.resolve("tmp").resolve("jobs");
        StoreFiles.clearTemp(tmp);
    }

    /** Job ids are file names: anything else is refused before it reaches the file system. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public synchronized void save(JobRecord record) {
        try {
            StoreFiles.replaceAtomically(file(record.id()), json.writeValueAsBytes(record), tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write job record " + record.id(), e);
        }
    }

    public Optional<JobRecord> find(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        Path file = file(id);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), JobRecord.class));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable job record " + file, e);
        }
    }

    /** Every record, oldest first; an unreadable file is logged and skipped so one bad file cannot stop a start. */
    public List<JobRecord> list() {
        if (!Files.isDirectory(jobs)) {
            return List.of();
        }
        List<JobRecord> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(jobs)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).toList()) {
                try {
                    records.add(json.readValue(f.toFile(), JobRecord.class));
                } catch (IOException e) {
                    LOG.warnf("skipping unreadable job record %s: %s", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        records.sort(Comparator.comparing(JobRecord::createdAt).thenComparing(JobRecord::id));
        return records;
    }

    /**
     * Deletes the records of jobs that ended more than {@code retention} before {@code now}, and
     * every checkpoint whose job has ended or has no record (a crash between the two deletions);
     * returns the ids of the pruned records.
     */
    public synchronized List<String> prune(Duration retention, Instant now) {
        List<String> pruned = new ArrayList<>();
        for (JobRecord r : list()) {
            if (r.state().isFinal()) {
                deleteCheckpoint(r.id());
            }
            if (r.state().isFinal() && r.endedAt() != null && Instant.parse(r.endedAt()).plus(retention).isBefore(now)) {
                try {
                    Files.deleteIfExists(file(r.id()));
                    pruned.add(r.id());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete job record " + r.id(), e);
                }
            }
        }
        if (Files.isDirectory(jobs)) {
            try (Stream<Path> files = Files.list(jobs)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(CHECKPOINT_SUFFIX)).toList()) {
                    String name = f.getFileName().toString();
                    if (!Files.exists(file(name.substring(0, name.length() - CHECKPOINT_SUFFIX.length())))) {
                        Files.deleteIfExists(f);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prune checkpoints", e);
            }
        }
        return pruned;
    }

    /** Replaces the job's checkpoint atomically: a crash leaves the previous one or this one. */
    public void saveCheckpoint(String id, byte[] checkpoint) {
        try {
            StoreFiles.replaceAtomically(checkpointFile(id), checkpoint, tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of job " + id, e);
        }
    }

    /** The job's latest checkpoint, as written. */
    public Optional<byte[]> checkpoint(String id) {
        Path file = checkpointFile(id);
        if (!isValidId(id) || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable checkpoint " + file, e);
        }
    }

    public void deleteCheckpoint(String id) {
        try {
            Files.deleteIfExists(checkpointFile(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoint of job " + id, e);
        }
    }

    /** Writes the job's event {@code sequence} as an object of its own; written again, it is replaced whole. */
    public void saveEvent(String id, long sequence, byte[] event) {
        try {
            StoreFiles.replaceAtomically(eventFile(id, sequence), event, tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write event " + sequence + " of job " + id, e);
        }
    }

    /** The job's events numbered {@code fromSequence} and later, in order, as written. */
    public List<byte[]> events(String id, long fromSequence) {
        Path dir = events.resolve(id);
        if (!isValidId(id) || !Files.isDirectory(dir)) {
            return List.of();
        }
        String from = eventName(fromSequence);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> names = files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)
                    && p.getFileName().toString().compareTo(from) >= 0).sorted().toList();
            List<byte[]> read = new ArrayList<>();
            for (Path f : names) {
                read.add(Files.readAllBytes(f));
            }
            return read;
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of(); // deleted while read: the job ended
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the events of job " + id, e);
        }
    }

    /** Deletes the job's events (it ended: its record tells the rest). */
    public void deleteEvents(String id) {
        Path dir = events.resolve(id);
        if (!isValidId(id) || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warnf("cannot delete the events of job %s: %s", id, e.getMessage()); // left for the next prune
        }
    }

    /** Zero-padded, so that names sort as the numbers do (a listing of keys comes back in name order). */
    private static String eventName(long sequence) {
        return String.format("%019d", sequence) + SUFFIX;
    }

    private Path eventFile(String id, long sequence) {
        return events.resolve(id).resolve(eventName(sequence));
    }

    private Path checkpointFile(String id) {
        return jobs.resolve(id + CHECKPOINT_SUFFIX);
    }

    private Path file(String id) {
        return jobs.resolve(id + SUFFIX);
    }
}
