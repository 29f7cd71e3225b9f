package io.hpl.server.errors;

/** The kinds of failure a caller can act on; the API layer maps each to one gRPC status code. */
public enum ErrorKind {
    INVALID_ARGUMENT,
    NOT_FOUND,
    ALREADY_EXISTS,
    FAILED_PRECONDITION,
    RESOURCE_EXHAUSTED,
    UNAVAILABLE,
    UNIMPLEMENTED,
    /** The caller cancelled or its deadline passed: the work stopped, nobody is left to read a message. */
    CANCELLED,
    INTERNAL
}
