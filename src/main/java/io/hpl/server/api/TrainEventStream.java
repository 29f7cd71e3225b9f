package io.hpl.server.api;

import io.grpc.Status;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.jobs.JobEvent;
import io.hpl.server.jobs.JobWatcher;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * One Train or WatchJob stream: passes a job's events on and ends the stream with the status its
 * final event implies (OK, the failure's status, or CANCELLED). The job's event log calls it under
 * its lock, one event at a time, in order.
 */
final class TrainEventStream implements JobWatcher {
    private final MultiEmitter<? super TrainEvent> emitter;
    private volatile boolean ended;

    TrainEventStream(MultiEmitter<? super TrainEvent> emitter) {
        this.emitter = emitter;
    }

    /** Whether the job's final event went out (closing the stream after it cancels nothing). */
    boolean ended() {
        return ended;
    }

    @Override
    public void event(JobEvent event) {
        if (ended) {
            return;
        }
        emitter.emit(JobMapper.toProto(event));
        if (!event.isFinal()) {
            return;
        }
        ended = true;
        if (event instanceof JobEvent.Failed f) {
            emitter.fail(GrpcErrors.status(f.kind()).withDescription(f.message()).asRuntimeException());
        } else if (event instanceof JobEvent.Cancelled c) {
            emitter.fail(Status.CANCELLED.withDescription("job " + c.jobId() + " " + c.message()).asRuntimeException());
        } else {
            emitter.complete();
        }
    }

    @Override
    public void closed(ErrorKind kind, String message) {
        if (!ended) {
            ended = true;
            emitter.fail(GrpcErrors.status(kind).withDescription(message).asRuntimeException());
        }
    }
}
