package io.hpl.server.jobs;

import io.hpl.server.store.JobRecord;
import java.util.function.LongFunction;

/**
 * One job as a {@link TrainingAttempt} sees it: its record, how the record changes, and whether to
 * stop. The server's jobs (in memory, watched) and a worker's job (read from and written to the
 * store) both are one.
 */
interface JobHandle {
    String id();

    /** Held around every record change and around the last stop check before publishing. */
    Object lock();

    JobRecord record();

    /** Records {@code next}, and the event made from its sequence number when {@code event} is not null; under {@link #lock()}. */
    void update(JobRecord next, LongFunction<JobEvent> event);

    /** Training should stop: the job was cancelled, or the process is stopping. */
    boolean stopRequested();

    /** The process is stopping (the job continues later, from its checkpoint), as opposed to a cancel. */
    boolean suspendRequested();
}
