package io.hpl.server.errors;

/**
 * A failure with a message written for the person who made the request: it names the field,
 * row or column at fault. Domain code throws it; the API layer turns it into a gRPC status.
 */
public class HplException extends RuntimeException {
    private final ErrorKind kind;

    public HplException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HplException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static HplException invalid(String message) {
        return new HplException(ErrorKind.INVALID_ARGUMENT, message);
    }

    public static HplException notFound(String message) {
        return new HplException(ErrorKind.NOT_FOUND, message);
    }

    public static HplException precondition(String message) {
        return new HplException(ErrorKind.FAILED_PRECONDITION, message);
    }

    public static HplException exhausted(String message) {
        return new HplException(ErrorKind.RESOURCE_EXHAUSTED, message);
    }

    public static HplException cancelled(String message) {
        return new HplException(ErrorKind.CANCELLED, message);
    }
}
