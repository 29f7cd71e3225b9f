package io.hpl.server.training.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hpl.server.training.PyTorchEngine;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogVarianceGuardTest {
    @Test
    void clampsBelowTheFloorAndCountsIt() {
        LogVarianceGuard guard = new LogVarianceGuard(-6);
        try (NDManager m = PyTorchEngine.get().newBaseManager()) {
            NDArray z = m.create(new float[] {-59f, -6f, 0.5f, 3f});
            assertArrayEquals(new float[] {-6f, -6f, 0.5f, 3f}, guard.clamp(z).toFloatArray());
            assertArrayEquals(new float[] {0f, 1f, 1f, 1f}, guard.unclamped(z).toFloatArray());
        }
        Map<String, Double> first = guard.statistics(new float[] {-59f, -6f, 0.5f, 3f});
        assertEquals(-59.0, first.get("z_min"));
        assertEquals(3.0, first.get("z_max"));
        assertEquals((-59 - 6 + 0.5 + 3) / 4.0, first.get("z_mean"), 1e-12);
        assertEquals(0.25, first.get("z_clamped_share"));
        Map<String, Double> second = guard.statistics(new float[] {0f, 1f});
        assertEquals(0.0, second.get("z_min"));
        assertEquals(-59.0, second.get("z_min_seen"));
        assertEquals(3.0, second.get("z_max_seen"));
    }
}
