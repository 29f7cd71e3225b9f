package io.hpl.server.jobs;

import java.time.Duration;

/**
 * Where training jobs run: {@link InProcessExecutor} (one at a time on this server's training
 * thread, the default) or {@link KubernetesJobExecutor} (a Kubernetes Job per training job, running
 * this same image in worker mode). {@link TrainingJobs} keeps the records, the queue limit and the
 * watchers either way.
 */
interface TrainingExecutor {
    /**
     * Runs the job, or queues it to run; returns at once. Called for new jobs and, at start, for the
     * jobs the store says were queued or running.
     */
    void submit(TrackedJob job);

    /**
     * Follows a job started by another process without starting it (Kubernetes: another replica's
     * Job, relayed here for a watcher or a cancel). In process there is nothing to follow: every
     * job of this process is its own.
     */
    default void follow(TrackedJob job) {
        submit(job);
    }

    /** The job was cancelled (its record already says so): stop running it. */
    void cancel(TrackedJob job);

    /**
     * Whether a job found queued or running at start is still running somewhere (a Kubernetes Job
     * outlives the server) rather than interrupted by the server's stop and queued again.
     */
    boolean runsElsewhere();

    /** Stops taking jobs; waits at most {@code wait} for what runs in this process. */
    void shutdown(Duration wait);
}
