package io.hpl.server.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckpointPolicyTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void dueEveryNIterationsOrOnceTheIntervalHasPassed() {
        CheckpointPolicy policy = new CheckpointPolicy(100, Duration.ofSeconds(30));
        assertTrue(policy.due(200, 0));
        assertFalse(policy.due(199, 29 * SECOND));
        assertTrue(policy.due(199, 30 * SECOND));
    }

    @Test
    void zeroTurnsEitherRuleOff() {
        assertFalse(CheckpointPolicy.OFF.due(100, 3600 * SECOND));
        assertFalse(new CheckpointPolicy(0, Duration.ofSeconds(30)).due(100, SECOND));
        assertFalse(new CheckpointPolicy(100, Duration.ZERO).due(99, 3600 * SECOND));
        assertThrows(IllegalArgumentException.class, () -> new CheckpointPolicy(-1, Duration.ZERO));
    }
}
