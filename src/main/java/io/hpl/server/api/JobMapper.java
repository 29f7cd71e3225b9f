package io.hpl.server.api;

import io.hpl.server.api.v1.JobHistoryEntry;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.JobState;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.TrainAccepted;
import io.hpl.server.api.v1.TrainCancelled;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainFailed;
import io.hpl.server.api.v1.TrainFinished;
import io.hpl.server.api.v1.TrainHeartbeat;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.errors.HplException;
import io.hpl.server.jobs.JobEvent;
import io.hpl.server.jobs.TrainJobSpec;
import io.hpl.server.store.JobRecord;

/** Jobs and their events between the domain and API v1. */
final class JobMapper {
    private JobMapper() {
    }

    static TrainJobSpec spec(TrainRequest request) {
        return new TrainJobSpec(request.getDatasetId(), ProtoMapper.fromProto(request.getMethod()),
                request.getModelName(), request.getHyperparametersMap(), request.hasSeed() ? request.getSeed() : 0,
                request.getPromote());
    }

    static JobInfo toProto(JobRecord r) {
        TrainRequest.Builder request = TrainRequest.newBuilder().setDatasetId(r.datasetId())
                .setMethod(r.requestedMethod() == null ? Method.METHOD_UNSPECIFIED : ProtoMapper.toProto(r.requestedMethod()))
                .setModelName(r.modelName()).putAllHyperparameters(r.hyperParameters()).setSeed(r.seed());
        request.setPromote(Boolean.TRUE.equals(r.promote()));
        if (r.requestId() != null) {
            request.setRequestId(r.requestId());
        }
        JobInfo.Builder b = JobInfo.newBuilder().setId(r.id()).setRequest(request).setMethod(ProtoMapper.toProto(r.method()))
                .setState(toProto(r.state())).setIteration(r.iteration()).setTotalIterations(r.totalIterations())
                .setCreatedAt(r.createdAt()).setModelVersion(r.modelVersion()).setAttempts(r.attempts())
                .setNextSequence(r.nextSequence());
        if (r.requestId() != null) {
            b.setRequestId(r.requestId());
        }
        if (r.startedAt() != null) {
            b.setStartedAt(r.startedAt());
        }
        if (r.endedAt() != null) {
            b.setEndedAt(r.endedAt());
        }
        if (r.failureCode() != null) {
            b.setFailureCode(r.failureCode()).setFailureMessage(r.failureMessage());
        }
        r.history().forEach(h -> b.addHistory(JobHistoryEntry.newBuilder().setAt(h.at()).setState(toProto(h.state()))
                .setNote(h.note())));
        return b.build();
    }

    static JobState toProto(io.hpl.server.store.JobState state) {
        return JobState.valueOf("JOB_STATE_" + state.name());
    }

    /** JOB_STATE_UNSPECIFIED → null: any state. */
    static io.hpl.server.store.JobState fromProto(JobState state) {
        if (state == JobState.UNRECOGNIZED) {
            throw HplException.invalid("state: unknown value; use one of JOB_STATE_QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED");
        }
        return state == JobState.JOB_STATE_UNSPECIFIED ? null
                : io.hpl.server.store.JobState.valueOf(state.name().substring("JOB_STATE_".length()));
    }

    static TrainEvent toProto(JobEvent event) {
        TrainEvent.Builder b = TrainEvent.newBuilder().setSequence(event.sequence());
        if (event instanceof JobEvent.Accepted a) {
            b.setAccepted(TrainAccepted.newBuilder().setJobId(a.jobId())
                    .setQueuePosition(a.queuePosition()).setMethod(ProtoMapper.toProto(a.method())));
        } else if (event instanceof JobEvent.Progress p) {
            b.setProgress(ProtoMapper.toProto(p.jobId(), p.progress()));
        } else if (event instanceof JobEvent.Finished f) {
            b.setFinished(TrainFinished.newBuilder().setJobId(f.jobId())
                    .setModel(f.model() != null ? ProtoMapper.toProto(f.model())
                            : ModelInfo.newBuilder().setName(f.modelName()).setVersion(f.version()).build()));
        } else if (event instanceof JobEvent.Failed f) {
            b.setFailed(TrainFailed.newBuilder().setJobId(f.jobId())
                    .setCode(GrpcErrors.status(f.kind()).getCode().name()).setMessage(f.message()));
        } else if (event instanceof JobEvent.Cancelled c) {
            b.setCancelled(TrainCancelled.newBuilder().setJobId(c.jobId()).setMessage(c.message()));
        } else if (event instanceof JobEvent.Heartbeat h) {
            b.setHeartbeat(TrainHeartbeat.newBuilder().setJobId(h.jobId()).setState(toProto(h.state()))
                    .setIteration(h.iteration()).setTotalIterations(h.totalIterations())
                    .setElapsedSeconds(h.elapsedSeconds()));
        }
        return b.build();
    }
}
