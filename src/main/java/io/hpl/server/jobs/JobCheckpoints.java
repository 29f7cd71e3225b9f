package io.hpl.server.jobs;

import io.hpl.server.store.JobRecord;
import io.hpl.server.store.JobStore;
import io.hpl.server.training.checkpoint.Checkpoint;
import io.hpl.server.training.checkpoint.CheckpointPolicy;
import io.hpl.server.training.checkpoint.Checkpointing;
import io.hpl.server.training.checkpoint.IncompatibleCheckpointException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * One job's checkpoints: read from and written to {@code jobs/<id>.ckpt} in the {@link JobStore}
 * under the {@link CheckpointPolicy}; what happens to them goes into the job's history. Writes
 * take the job's lock and skip a job that has ended, so a cancel (which deletes the checkpoint)
 * cannot be followed by a stray checkpoint of a finished job.
 */
final class JobCheckpoints implements Checkpointing {
    private static final Logger LOG = Logger.getLogger(JobCheckpoints.class);

    private final String jobId;
    private final JobStore store;
    private final CheckpointPolicy policy;
    private final Object lock;
    private final Supplier<JobRecord> record;
    private final Consumer<UnaryOperator<JobRecord>> change;
    private final BooleanSupplier suspend;
    private long lastWrite = System.nanoTime();

    /**
     * {@code change} applies a change to the job's record (and stores it) under {@code lock};
     * {@code suspend} says the server is shutting down.
     */
    JobCheckpoints(String jobId, JobStore store, CheckpointPolicy policy, Object lock, Supplier<JobRecord> record,
                   Consumer<UnaryOperator<JobRecord>> change, BooleanSupplier suspend) {
        this.jobId = jobId;
        this.store = store;
        this.policy = policy;
        this.lock = lock;
        this.record = record;
        this.change = change;
        this.suspend = suspend;
    }

    @Override
    public Optional<Checkpoint> latest() {
        Optional<byte[]> bytes = store.checkpoint(jobId);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Checkpoint.decode(bytes.get()));
        } catch (IncompatibleCheckpointException e) {
            change.accept(r -> r.noted("checkpoint not readable (" + e.getMessage() + "); starts from iteration 0"));
            return Optional.empty();
        }
    }

    @Override
    public boolean due(long iteration) {
        return policy.due(iteration, System.nanoTime() - lastWrite);
    }

    @Override
    public void write(Checkpoint checkpoint) {
        byte[] bytes = checkpoint.encode();
        synchronized (lock) {
            if (record.get().state().isFinal()) {
                return;
            }
            try {
                store.saveCheckpoint(jobId, bytes);
            } catch (UncheckedIOException e) {
                // A checkpoint only saves time after a restart: a full disk must not fail the job.
                // The previous checkpoint (or none) stays; the next due one tries again.
                LOG.warnf(e, "training job %s: checkpoint at iteration %d not written", jobId, checkpoint.iteration());
                return;
            }
        }
        lastWrite = System.nanoTime();
        LOG.debugf("training job %s: checkpoint at iteration %d of %d (%d bytes)", jobId, checkpoint.iteration(),
                checkpoint.totalIterations(), bytes.length);
    }

    @Override
    public boolean suspendRequested() {
        return suspend.getAsBoolean();
    }

    @Override
    public void discarded(Checkpoint checkpoint, String why) {
        LOG.warnf("training job %s: checkpoint at iteration %d not used: %s", jobId, checkpoint.iteration(), why);
        change.accept(r -> r.noted("checkpoint at iteration " + checkpoint.iteration() + " not used (" + why
                + "); starts from iteration 0"));
    }

    @Override
    public void resumed(Checkpoint checkpoint) {
        String note = "resumed from iteration " + checkpoint.iteration() + " of " + checkpoint.totalIterations()
                + ", checkpoint written at " + checkpoint.writtenAt();
        LOG.infof("training job %s: %s", jobId, note);
        change.accept(r -> r.noted(note).progressed(checkpoint.iteration(), checkpoint.totalIterations()));
    }
}
