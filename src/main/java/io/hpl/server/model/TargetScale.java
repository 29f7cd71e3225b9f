package io.hpl.server.model;

/** The network predicts (y − mean) / std; serving maps it back with y = mean + std·output. */
public record TargetScale(double mean, double std) {
}
