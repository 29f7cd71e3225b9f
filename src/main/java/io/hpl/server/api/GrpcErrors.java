package io.hpl.server.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import org.jboss.logging.Logger;

/**
 * The one place where failures become gRPC statuses. Domain errors keep their message, written for
 * the caller; anything unexpected is logged with its stack trace and answered with a short
 * INTERNAL message that carries no internals.
 */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static StatusRuntimeException toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        if (failure instanceof HplException e) {
            if (e.kind() == ErrorKind.INTERNAL) {
                LOG.error("internal error", e);
            }
            return status(e.kind()).withDescription(e.getMessage()).asRuntimeException();
        }
        LOG.error("unexpected error", failure);
        return Status.INTERNAL.withDescription("internal error (" + failure.getClass().getSimpleName()
                + "); the server log has the details").asRuntimeException();
    }

    public static Status status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
            case INTERNAL -> Status.INTERNAL;
        };
    }
}
