package io.hpl.server.jobs;

import io.hpl.server.errors.ErrorKind;

/** Hears a job's events in order; called under the job's event-log lock, so it must not block. */
public interface JobWatcher {
    void event(JobEvent event);

    /** The stream ends without a final event (the server is shutting down; the job itself goes on later). */
    void closed(ErrorKind kind, String message);
}
