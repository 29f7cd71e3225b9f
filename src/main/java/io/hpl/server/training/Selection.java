package io.hpl.server.training;

import java.util.List;

/**
 * What AUTO tried and why it serves what it serves: every candidate with its held-out score, and
 * the choice in one sentence. Stored with the model and shown in ModelInfo.
 */
public record Selection(List<Candidate> candidates, String served, String reason) {
    public Selection {
        candidates = List.copyOf(candidates);
    }

    /**
     * One candidate. {@code calibrationMae} is on the held-out calibration rows (NaN when it did not
     * finish); {@code weight} its share of the served blend (0 when not served); {@code status} "used",
     * "not used", or why it was skipped.
     */
    public record Candidate(String name, String method, double calibrationMae, double weight, double seconds,
                            String status) {
    }
}
