package io.hpl.server.jobs;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.store.JobRecord;
import java.util.List;

/** A job of this server's {@link TrainingJobs}, as an executor sees it. */
interface TrackedJob extends JobHandle {
    /** The job's attempt is over however it ended (in process), or the job ended (elsewhere). Called once per submit. */
    void attemptOver();

    /** The sequence number the job's next event gets here. */
    long nextSequence();

    /**
     * A worker elsewhere recorded {@code stored} and wrote {@code events} (numbered from
     * {@link #nextSequence()}, in order): they become this job's record and events here, for
     * GetJob and the watchers, without writing anything. Ignored once the job ended here.
     */
    void relay(JobRecord stored, List<JobEvent> events);

    /** The job failed outside any attempt (a Kubernetes Job out of retries, a Job that could not be created). */
    void failed(ErrorKind kind, String message);
}
