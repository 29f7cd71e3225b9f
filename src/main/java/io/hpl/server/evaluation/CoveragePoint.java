package io.hpl.server.evaluation;

/** One point of a reliability curve: the share of rows inside the served interval at a nominal level. */
public record CoveragePoint(double level, double coverage) {
}
