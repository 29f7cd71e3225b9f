package io.hpl.server.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.hpl.server.store.objects.LocalObjectStore;
import io.hpl.server.store.objects.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Training job records in the {@link ObjectStore}, one {@code jobs/<id>.json} each, replaced whole (a
 * crash leaves the previous record or the new one, never half of one). They outlive the process, so a
 * restart knows which jobs to run again. Beside a record, {@code jobs/<id>.ckpt} holds the running
 * job's latest training checkpoint (written the same way), deleted when the job ends. A job run by a
 * worker elsewhere (the Kubernetes executor) also has its events, one small object each,
 * {@code job-events/<id>/<sequence>.json}, written whole (never appended to: S3 cannot append) and read
 * by the server that relays them to watchers.
 */
public final class JobStore {
    private static final Logger LOG = Logger.getLogger(JobStore.class);
    private static final Pattern ID = Pattern.compile("job-[0-9a-f-]{36}");
    private static final String PREFIX = "jobs/";
    private static final String SUFFIX = ".json";
    private static final String CHECKPOINT_SUFFIX = ".ckpt";
    private static final String EVENTS_PREFIX = "job-events/";

    private final ObjectStore objects;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A store in a local directory. */
    public JobStore(Path root) {
        this(new LocalObjectStore(root));
    }

    public JobStore(ObjectStore objects) {
        this.objects = objects;
    }

    /** Job ids are file names: anything else is refused before it reaches the file system. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public synchronized void save(JobRecord record) {
        try {
            objects.put(key(record.id()), json.writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write job record " + record.id(), e);
        }
    }

    public Optional<JobRecord> find(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        Optional<byte[]> bytes = objects.get(key(id));
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(bytes.get(), JobRecord.class));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable job record " + key(id), e);
        }
    }

    /** Every record, oldest first; an unreadable file is logged and skipped so one bad file cannot stop a start. */
    public List<JobRecord> list() {
        List<JobRecord> records = new ArrayList<>();
        for (ObjectStore.StoredObject o : objects.list(PREFIX)) {
            String rest = o.key().substring(PREFIX.length());
            if (!rest.endsWith(SUFFIX) || rest.contains("/")) {
                continue;
            }
            try {
                objects.get(o.key()).ifPresent(bytes -> {
                    try {
                        records.add(json.readValue(bytes, JobRecord.class));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                LOG.warnf("skipping unreadable job record %s: %s", o.key(), e.getMessage());
            }
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
                objects.delete(key(r.id()));
                pruned.add(r.id());
            }
        }
        List<ObjectStore.StoredObject> all = objects.list(PREFIX);
        java.util.Set<String> keys = new java.util.HashSet<>();
        all.forEach(o -> keys.add(o.key()));
        for (ObjectStore.StoredObject o : all) {
            if (o.key().endsWith(CHECKPOINT_SUFFIX)) {
                String id = o.key().substring(PREFIX.length(), o.key().length() - CHECKPOINT_SUFFIX.length());
                if (!keys.contains(key(id))) {
                    objects.delete(o.key());
                }
            }
        }
        return pruned;
    }

    /** Replaces the job's checkpoint atomically: a crash leaves the previous one or this one. */
    public void saveCheckpoint(String id, byte[] checkpoint) {
        objects.put(checkpointKey(id), checkpoint);
    }

    /** The job's latest checkpoint, as written. */
    public Optional<byte[]> checkpoint(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        return objects.get(checkpointKey(id));
    }

    public void deleteCheckpoint(String id) {
        objects.delete(checkpointKey(id));
    }

    /** Writes the job's event {@code sequence} as an object of its own; written again, it is replaced whole. */
    public void saveEvent(String id, long sequence, byte[] event) {
        objects.put(eventsPrefix(id) + eventName(sequence), event);
    }

    /** The job's events numbered {@code fromSequence} and later, in order, as written. */
    public List<byte[]> events(String id, long fromSequence) {
        if (!isValidId(id)) {
            return List.of();
        }
        String from = eventsPrefix(id) + eventName(fromSequence);
        List<String> keys = objects.list(eventsPrefix(id)).stream().map(ObjectStore.StoredObject::key)
                .filter(k -> k.endsWith(SUFFIX) && k.compareTo(from) >= 0).sorted().toList();
        List<byte[]> read = new ArrayList<>();
        for (String k : keys) {
            objects.get(k).ifPresent(read::add); // absent: deleted while read, the job ended
        }
        return read;
    }

    /** Deletes the job's events (it ended: its record tells the rest). */
    public void deleteEvents(String id) {
        if (!isValidId(id)) {
            return;
        }
        try {
            objects.deletePrefix(eventsPrefix(id));
        } catch (RuntimeException e) {
            LOG.warnf("cannot delete the events of job %s: %s", id, e.getMessage()); // left for the next prune
        }
    }

    private static String eventsPrefix(String id) {
        return EVENTS_PREFIX + id + "/";
    }

    /** Zero-padded, so that names sort as the numbers do. */
    private static String eventName(long sequence) {
        return String.format("%019d", sequence) + SUFFIX;
    }

    private static String checkpointKey(String id) {
        return PREFIX + id + CHECKPOINT_SUFFIX;
    }

    private static String key(String id) {
        return PREFIX + id + SUFFIX;
    }
}
