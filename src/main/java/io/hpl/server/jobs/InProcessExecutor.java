package io.hpl.server.jobs;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Jobs run one at a time on this process's training thread (hpl.training.executor=in-process, the
 * default): DJL's PyTorch engine allows one gradient collector per process, and PyTorch's grad
 * mode is per thread.
 */
final class InProcessExecutor implements TrainingExecutor {
    private static final Logger LOG = Logger.getLogger(InProcessExecutor.class);

    private final TrainingAttempt attempt;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hpl-training");
        t.setDaemon(true);
        return t;
    });

    /** {@code first} runs on the training thread before any job (waiting for the engines): jobs queue behind it. */
    InProcessExecutor(TrainingAttempt attempt, Runnable first) {
        this.attempt = attempt;
        thread.execute(first);
    }

    @Override
    public void submit(TrackedJob job) {
        thread.execute(() -> {
            try {
                attempt.run(job);
            } finally {
                job.attemptOver();
            }
        });
    }

    @Override
    public void cancel(TrackedJob job) {
        // the job's stop flag, set by the cancel, stops its attempt at the next iteration
    }

    @Override
    public boolean runsElsewhere() {
        return false;
    }

    @Override
    public void shutdown(Duration wait) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("the training thread did not stop within hpl.training.shutdown-wait (%s); its job re-runs"
                        + " at the next start", wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
