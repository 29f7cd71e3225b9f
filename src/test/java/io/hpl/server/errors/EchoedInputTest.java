package io.hpl.server.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EchoedInputTest {
    @Test
    void shortTextIsQuotedWhole() {
        assertEquals("'abc'", EchoedInput.quote("abc"));
        assertEquals("'" + "x".repeat(200) + "'", EchoedInput.quote("x".repeat(200)));
    }

    @Test
    void longTextIsCutWithAnEllipsisAndItsLength() {
        String quoted = EchoedInput.quote("y".repeat(1_000_000));
        assertEquals("'" + "y".repeat(200) + "… (1000000 characters)'", quoted);
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsNeverSplit() {
        String text = "a".repeat(199) + "\uD83D\uDE00" + "b".repeat(10);
        String shortened = EchoedInput.shorten(text);
        assertTrue(shortened.startsWith("a".repeat(199) + "…"), shortened);
    }
}
