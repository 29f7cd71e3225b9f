package io.hpl.server.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

    /** Every kind of draw the training code makes, from both generators in lockstep. */
    private static double draw(Random r, int i) {
        return switch (i % 5) {
            case 0 -> r.nextInt(1000);
            case 1 -> r.nextDouble();
            case 2 -> r.nextGaussian();
            case 3 -> r.nextLong();
            default -> r.nextBoolean() ? 1 : 0;
        };
    }

    @Test
    void drawsExactlyJavaUtilRandomsSequence() {
        Random expected = new Random(42);
        SeededRandom actual = new SeededRandom(42);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(draw(expected, i), draw(actual, i), "draw " + i);
        }
    }

    @Test
    void aRestoredStateContinuesTheSequenceIncludingACachedGaussian() {
        SeededRandom original = new SeededRandom(7);
        original.nextGaussian(); // leaves the second Gaussian of the pair cached
        SeededRandom.State saved = original.state();
        SeededRandom restored = new SeededRandom(12345);
        restored.restore(saved);
        for (int i = 0; i < 1000; i++) {
            assertEquals(draw(original, i + 2), draw(restored, i + 2), "draw " + i);
        }
    }
}
