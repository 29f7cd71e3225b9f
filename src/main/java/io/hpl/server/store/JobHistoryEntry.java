package io.hpl.server.store;

/** One state change of a job, kept so GetJob can tell the whole story (re-runs after a restart included). */
public record JobHistoryEntry(String at, JobState state, String note) {
}
