package io.hpl.server.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
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
            return status(e.kind()).withDescription(capped(e.getMessage())).asRuntimeException();
        }
        LOG.error("unexpected error", failure);
        return Status.INTERNAL.withDescription("internal error (" + failure.getClass().getSimpleName()
                + "); the server log has the details").asRuntimeException();
    }

    /**
     * Most UTF-8 bytes of a description. It travels percent-encoded in the grpc-message header
     * (up to 3 characters a byte), and clients refuse headers over about 8 KiB: a longer message
     * reached the caller as INTERNAL "Received RST_STREAM". Messages quote input through
     * {@link io.hpl.server.errors.EchoedInput}; this cap is the backstop for the whole message.
     */
    static final int MAX_DESCRIPTION_BYTES = 2048;

    /** The message, shortened to {@link #MAX_DESCRIPTION_BYTES} UTF-8 bytes with an ellipsis. */
    static String capped(String message) {
        if (message == null || message.length() * 3 <= MAX_DESCRIPTION_BYTES) {
            return message; // fast path: even all 3-byte characters would fit
        }
        if (message.getBytes(StandardCharsets.UTF_8).length <= MAX_DESCRIPTION_BYTES) {
            return message;
        }
        int budget = MAX_DESCRIPTION_BYTES - SHORTENED.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int end = 0;
        while (end < message.length()) {
            int cp = message.codePointAt(end);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return message.substring(0, end) + SHORTENED;
    }

    private static final String SHORTENED = "… (message shortened)";

    public static Status status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
            case CANCELLED -> Status.CANCELLED;
            case INTERNAL -> Status.INTERNAL;
        };
    }
}
