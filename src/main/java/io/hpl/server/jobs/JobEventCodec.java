package io.hpl.server.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.training.TrainingProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;

/**
 * A worker's events as the store keeps them (one small JSON object each, {@link
 * io.hpl.server.store.JobStore#saveEvent}): progress, and the end it recorded. Accepted and
 * cancelled events are the server's own and heartbeats are never kept, so they are not written.
 */
final class JobEventCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The stored shape; {@code type} is progress, finished or failed. */
    record Stored(String type, long sequence, String jobId, TrainingProgress progress, String modelName,
                  int version, String kind, String message) {
    }

    private JobEventCodec() {
    }

    /** Whether a worker writes this event to the store. */
    static boolean stored(JobEvent event) {
        return event instanceof JobEvent.Progress || event instanceof JobEvent.Finished
                || event instanceof JobEvent.Failed;
    }

    static byte[] encode(JobEvent event) {
        Stored s;
        if (event instanceof JobEvent.Progress p) {
            s = new Stored("progress", p.sequence(), p.jobId(), p.progress(), null, 0, null, null);
        } else if (event instanceof JobEvent.Finished f) {
            s = new Stored("finished", f.sequence(), f.jobId(), null, f.modelName(), f.version(), null, null);
        } else if (event instanceof JobEvent.Failed f) {
            s = new Stored("failed", f.sequence(), f.jobId(), null, null, 0, f.kind().name(), f.message());
        } else {
            throw new IllegalArgumentException("not a stored event: " + event);
        }
        try {
            return JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code model}: the published version a finished event names (null when it was deleted since). */
    static JobEvent decode(byte[] bytes, BiFunction<String, Integer, ModelRecord> model) {
        Stored s;
        try {
            s = JSON.readValue(bytes, Stored.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable job event", e);
        }
        return switch (s.type()) {
            case "progress" -> new JobEvent.Progress(s.sequence(), s.jobId(), s.progress());
            case "finished" -> new JobEvent.Finished(s.sequence(), s.jobId(), s.modelName(), s.version(),
                    model.apply(s.modelName(), s.version()));
            case "failed" -> new JobEvent.Failed(s.sequence(), s.jobId(), ErrorKind.valueOf(s.kind()), s.message());
            default -> throw new UncheckedIOException(new IOException("unknown job event type '" + s.type() + "'"));
        };
    }
}
