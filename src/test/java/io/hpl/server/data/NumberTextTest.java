package io.hpl.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The linear scan accepts exactly what the regular expression it replaced accepted. */
class NumberTextTest {
    /** The replaced rule, kept here as the reference. */
    private static final Pattern OLD_DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern OLD_NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)");
    private static final String ALPHABET = "0123456789..++--eEeE  xdfNnaAiIfFtyY\t\u00a0\u0661";

    /** NumberText.parse as it was, with the backtracking regex. */
    private static Double oldParse(String text) {
        String s = text.strip();
        if (OLD_DECIMAL.matcher(s).matches()) {
            return Double.parseDouble(s);
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (OLD_NON_FINITE.matcher(lower).matches()) {
            if (lower.endsWith("nan")) {
                return Double.NaN;
            }
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return null;
    }

    @Test
    void sameAnswersAsTheRegexOnGeneratedText() {
        Random random = new Random(11);
        int accepted = 0;
        for (int k = 0; k < 300_000; k++) {
            String text = generated(random);
            Double expected = oldParse(text);
            assertEquals(expected, NumberText.parse(text), () -> "text '" + text + "'");
            if (expected != null) {
                accepted++;
            }
        }
        // The generator must exercise both answers, or the comparison proves little.
        assertTrue(accepted > 10_000, "accepted " + accepted);
    }

    @Test
    void sameAnswersOnHandPickedText() {
        for (String text : List.of("", " ", "1", "-1", "+1", "1.", ".5", ".", "-.", "+.e1", "1e", "1e+", "1e-5", "1E5",
                "1.5e3", ".5e-2", "5.e2", "1..2", "1e5.5", "--1", "1d", "2f", "0x1p3", "NaN", "-inf", "+Infinity",
                "infinit", "nann", " 42 ", "\u0661", "1_000", "1,5", "١٢", "1e99999", "-1e99999", "00012.3400")) {
            assertEquals(oldParse(text), NumberText.parse(text), () -> "text '" + text + "'");
        }
    }

    @Test
    void longTextIsAnsweredCorrectly() {
        String digits = "7".repeat(1_000_000);
        assertTrue(NumberText.isDecimal(digits));
        assertFalse(NumberText.isDecimal(digits + "x"));
        assertFalse(NumberText.isDecimal(digits + "." + digits + "e"));
        assertNull(NumberText.parse(digits + "x"));
    }

    /** Prints, never asserts, how long a 1 MB cell takes: the regex needed about 2 CPU-hours. */
    @Test
    void printsTheTimeOfAOneMegabyteCell() {
        String cell = "1".repeat(1 << 20) + "x";
        long start = System.nanoTime();
        NumberText.parse(cell);
        System.out.printf("NumberText.parse of a %,d-character cell: %.2f ms%n", cell.length(),
                (System.nanoTime() - start) / 1e6);
    }

    private static String generated(Random random) {
        int length = random.nextInt(10);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        // Shape some as numbers so that the accepting paths are well covered, then perturb them.
        if (random.nextInt(3) == 0) {
            String number = (random.nextBoolean() ? "-" : "") + random.nextInt(1000) + (random.nextBoolean() ? "." : "")
                    + (random.nextBoolean() ? Integer.toString(random.nextInt(100)) : "")
                    + (random.nextBoolean() ? "e" + (random.nextBoolean() ? "-" : "") + random.nextInt(400) : "");
            if (random.nextBoolean()) {
                int at = random.nextInt(number.length() + 1);
                number = number.substring(0, at) + b + number.substring(at);
            }
            return number;
        }
        return b.toString();
    }
}
