package io.hpl.server.api;

import io.grpc.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.function.Supplier;

/** How every unary gRPC service of this server (API v1 and OIP v2) runs blocking work. */
public final class BlockingCalls {
    private BlockingCalls() {
    }

    /**
     * Runs blocking work on a worker thread, with the call's gRPC context attached so that the work's
     * {@link io.hpl.server.errors.Cancellation} checkpoints see the client's cancel or deadline, and
     * turns failures into statuses.
     */
    public static <T> Uni<T> call(Supplier<T> work) {
        // Quarkus' gRPC server (on Vert.x) does not cancel io.grpc.Context when the client cancels or its
        // deadline passes (CancelledWorkTest found the work running on); it cancels the subscription.
        // So the call gets its own cancellable context, cancelled from the subscription's end.
        Context.CancellableContext call = Context.current().withCancellation();
        return Uni.createFrom().item(() -> inContext(call, work))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onTermination().invoke(() -> call.cancel(null))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    static <T> T inContext(Context call, Supplier<T> work) {
        Context previous = call.attach();
        try {
            return work.get();
        } finally {
            call.detach(previous);
        }
    }
}
