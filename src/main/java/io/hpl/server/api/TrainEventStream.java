package io.hpl.server.api;

import io.hpl.server.api.v1.TrainAccepted;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainFailed;
import io.hpl.server.api.v1.TrainFinished;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.jobs.AcceptedJob;
import io.hpl.server.jobs.JobListener;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.training.TrainingProgress;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns one job's events into the Train stream. Every emission holds one lock, and the accepted
 * event is sent while holding it, so it always comes first even when the job starts at once.
 */
final class TrainEventStream implements JobListener {
    private final MultiEmitter<? super TrainEvent> emitter;
    private volatile String jobId;

    TrainEventStream(MultiEmitter<? super TrainEvent> emitter) {
        this.emitter = emitter;
    }

    Optional<String> jobId() {
        return Optional.ofNullable(jobId);
    }

    synchronized void start(Function<JobListener, AcceptedJob> submit) {
        AcceptedJob job = submit.apply(this);
        jobId = job.jobId();
        emitter.emit(TrainEvent.newBuilder().setAccepted(TrainAccepted.newBuilder()
                .setJobId(job.jobId())
                .setQueuePosition(job.queuePosition())
                .setMethod(ProtoMapper.toProto(job.method()))).build());
    }

    @Override
    public synchronized void progress(String id, TrainingProgress progress) {
        emitter.emit(TrainEvent.newBuilder().setProgress(ProtoMapper.toProto(id, progress)).build());
    }

    @Override
    public synchronized void finished(String id, ModelRecord model) {
        emitter.emit(TrainEvent.newBuilder().setFinished(TrainFinished.newBuilder()
                .setJobId(id).setModel(ProtoMapper.toProto(model))).build());
        emitter.complete();
    }

    @Override
    public synchronized void failed(String id, ErrorKind kind, String message) {
        emitter.emit(TrainEvent.newBuilder().setFailed(TrainFailed.newBuilder()
                .setJobId(id).setCode(GrpcErrors.status(kind).getCode().name()).setMessage(message)).build());
        emitter.fail(GrpcErrors.status(kind).withDescription(message).asRuntimeException());
    }
}
