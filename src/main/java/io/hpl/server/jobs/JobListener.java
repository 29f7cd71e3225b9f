package io.hpl.server.jobs;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.training.TrainingProgress;

/** Receives a job's events, on the training thread; exactly one of finished / failed ends it. */
public interface JobListener {
    void progress(String jobId, TrainingProgress progress);

    void finished(String jobId, ModelRecord model);

    void failed(String jobId, ErrorKind kind, String message);
}
