package io.hpl.server.data.image;

import static io.hpl.server.data.image.TestImages.grey;
import static io.hpl.server.data.image.TestImages.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.ImageInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Pixels decoded at once are bounded across decoders; the waits here are zero, so nothing depends on timing. */
class DecodeBudgetTest {
    private static void exhausted(Executable call, String... fragments) {
        HplException e = assertThrows(HplException.class, call);
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, e.kind(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void aDecodeWaitsForNothingOnceTheBudgetIsFreedAndIsRefusedWhileItIsHeld() {
        DecodeBudget budget = new DecodeBudget(150, Duration.ZERO);
        ImageLimits limits = new ImageLimits(10, 1000, 100, 1 << 20, budget);
        ImageDecoder decoder = new ImageDecoder(new ImageInput(1, 4, 4), true, limits);
        byte[] image = png(grey(10, 10, 0)); // 100 pixels

        try (DecodeBudget.Reservation other = budget.reserve("another request's image", 100)) {
            exhausted(() -> decoder.decode("file 'a.png'", image), "a.png", "hpl.images.max-pixels-in-flight");
        }
        assertEquals(16, decoder.decode("file 'a.png'", image).length, "the budget is free again");
        try (DecodeBudget.Reservation a = budget.reserve("a", 50); DecodeBudget.Reservation b = budget.reserve("b", 100)) {
            exhausted(() -> budget.reserve("c", 1), "hpl.images.max-pixels-in-flight");
        }
    }

    @Test
    void anImageLargerThanTheWholeBudgetIsRefusedAtOnce() {
        DecodeBudget budget = new DecodeBudget(50, Duration.ofDays(1)); // would wait a day if it waited at all
        exhausted(() -> budget.reserve("file 'big.png'", 51), "big.png", "51 pixels", "50", "hpl.images.max-pixels-in-flight");
    }
}
