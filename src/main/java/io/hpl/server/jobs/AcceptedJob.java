package io.hpl.server.jobs;

import io.hpl.server.training.MethodName;

/** A job that passed validation and waits behind {@code queuePosition} others. */
public record AcceptedJob(String jobId, int queuePosition, MethodName method) {
}
