package io.hpl.server.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    private static Checkpoint sample() {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("network.parameters", new byte[] {1, 2, 3});
        parts.put("random", "abc".getBytes(StandardCharsets.UTF_8));
        return new Checkpoint("HPL", 40, 100, "2026-12-02T05:00:00Z", parts);
    }

    @Test
    void encodesAndDecodesEveryField() {
        Checkpoint c = Checkpoint.decode(sample().encode());
        assertEquals("HPL", c.method());
        assertEquals(40, c.iteration());
        assertEquals(100, c.totalIterations());
        assertEquals("2026-12-02T05:00:00Z", c.writtenAt());
        assertEquals(java.util.List.of("network.parameters", "random"), java.util.List.copyOf(c.parts().keySet()));
        assertArrayEquals(new byte[] {1, 2, 3}, c.parts().get("network.parameters"));
    }

    @Test
    void aDamagedOrForeignFileIsRefused() {
        byte[] bytes = sample().encode();
        bytes[bytes.length / 2] ^= 1;
        IncompatibleCheckpointException damaged = assertThrows(IncompatibleCheckpointException.class,
                () -> Checkpoint.decode(bytes));
        assertTrue(damaged.getMessage().contains("CRC"), damaged.getMessage());
        assertThrows(IncompatibleCheckpointException.class, () -> Checkpoint.decode("{\"json\": 1}".getBytes()));
        byte[] truncated = java.util.Arrays.copyOf(sample().encode(), 30);
        assertThrows(IncompatibleCheckpointException.class, () -> Checkpoint.decode(truncated));
    }

    @Test
    void restoringPartsOfAnotherRunIsRefusedBeforeAnythingIsWritten() {
        long[] counter = {5};
        RunState state = new RunState();
        state.counter("a", () -> counter[0], v -> counter[0] = v);
        assertThrows(IncompatibleCheckpointException.class, () -> state.restore(Map.of("b", new byte[8])));
        assertEquals(5, counter[0]);
    }
}
