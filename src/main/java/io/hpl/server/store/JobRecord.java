package io.hpl.server.store;

import io.hpl.server.training.MethodName;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A training job as stored in {@code jobs/<id>.json}: what was asked for, where it is, and how it got
 * there. {@code requestedMethod} null means "the server picks"; {@code method} is what it picked.
 * {@code nextSequence} is the sequence number the job's next event gets, so WatchJob's numbers keep
 * growing across restarts. {@code promote} is TrainRequest.promote (records written before it
 * existed read as null, which means false). Immutable: every change makes a new record, written whole.
 */
public record JobRecord(
        String id,
        String requestId,
        String datasetId,
        MethodName requestedMethod,
        MethodName method,
        String modelName,
        Map<String, String> hyperParameters,
        long seed,
        JobState state,
        long iteration,
        long totalIterations,
        long nextSequence,
        String createdAt,
        String startedAt,
        String endedAt,
        int modelVersion,
        String failureCode,
        String failureMessage,
        int attempts,
        List<JobHistoryEntry> history,
        Boolean promote) {

    public JobRecord {
        hyperParameters = Map.copyOf(hyperParameters);
        history = List.copyOf(history);
    }

    /** A queued job that does not promote (TrainRequest.promote false). */
    public static JobRecord queued(String id, String requestId, String datasetId, MethodName requestedMethod,
                                   MethodName method, String modelName, Map<String, String> hyperParameters, long seed) {
        return queued(id, requestId, datasetId, requestedMethod, method, modelName, hyperParameters, seed, false);
    }

    public static JobRecord queued(String id, String requestId, String datasetId, MethodName requestedMethod,
                                   MethodName method, String modelName, Map<String, String> hyperParameters, long seed,
                                   Boolean promote) {
        String now = now();
        return new JobRecord(id, requestId, datasetId, requestedMethod, method, modelName, hyperParameters, seed,
                JobState.QUEUED, 0, 0, 0, now, null, null, 0, null, null, 0,
                List.of(new JobHistoryEntry(now, JobState.QUEUED, "accepted")), promote);
    }

    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private JobRecord with(JobState newState, String note, String started, String ended, int version, String code,
                           String message, int attemptCount) {
        List<JobHistoryEntry> h = new ArrayList<>(history);
        h.add(new JobHistoryEntry(now(), newState, note));
        return new JobRecord(id, requestId, datasetId, requestedMethod, method, modelName, hyperParameters, seed,
                newState, iteration, totalIterations, nextSequence, createdAt, started, ended, version, code, message,
                attemptCount, h, promote);
    }

    /** A new attempt starts; iterations count from zero until it resumes from a checkpoint (see {@link #noted}). */
    public JobRecord running() {
        JobRecord r = with(JobState.RUNNING, "attempt " + (attempts + 1) + " started", now(), null, 0, null, null,
                attempts + 1);
        return r.progressed(0, 0);
    }

    /** Back in the queue after the server stopped while it ran; {@code why} says whether it resumes or starts over. */
    public JobRecord requeued(String why) {
        return with(JobState.QUEUED, why, startedAt, null, 0, null, null, attempts);
    }

    /** A history note without a change of state (a resume from a checkpoint, a checkpoint not used). */
    public JobRecord noted(String note) {
        return with(state, note, startedAt, endedAt, modelVersion, failureCode, failureMessage, attempts);
    }

    public JobRecord succeeded(int version) {
        return with(JobState.SUCCEEDED, "published " + modelName + " version " + version, startedAt, now(), version,
                null, null, attempts);
    }

    public JobRecord failed(String code, String message) {
        return with(JobState.FAILED, code + ": " + message, startedAt, now(), 0, code, message, attempts);
    }

    public JobRecord cancelled(String note) {
        return with(JobState.CANCELLED, note, startedAt, now(), 0, null, null, attempts);
    }

    public JobRecord progressed(long done, long total) {
        return new JobRecord(id, requestId, datasetId, requestedMethod, method, modelName, hyperParameters, seed, state,
                done, total, nextSequence, createdAt, startedAt, endedAt, modelVersion, failureCode, failureMessage,
                attempts, history, promote);
    }

    public JobRecord sequenceAt(long next) {
        return new JobRecord(id, requestId, datasetId, requestedMethod, method, modelName, hyperParameters, seed, state,
                iteration, totalIterations, next, createdAt, startedAt, endedAt, modelVersion, failureCode,
                failureMessage, attempts, history, promote);
    }
}
