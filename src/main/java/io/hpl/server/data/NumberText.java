package io.hpl.server.data;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place that decides what text is a number. {@link Double#parseDouble} alone is too
 * lenient for data files: it accepts hex floats and type suffixes ("1d", "2f"), which in a CSV are
 * more likely category codes than numbers. NaN and infinity tokens are recognised as numbers (so
 * a numeric column containing "NaN" stays numeric and the cell is then rejected as non-finite,
 * rather than silently turning the whole column categorical).
 *
 * <p>Decimals are recognised by one left-to-right scan, linear in the text's length: the regular
 * expression it replaces ({@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?}) backtracked
 * quadratically, so a long run of digits cost seconds of CPU (16,000 characters took 1.8 s).
 */
final class NumberText {
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)");

    private NumberText() {
    }

    /**
     * The number that {@code text} spells, or null when it is not a number. NaN and infinity
     * tokens (any case, optional sign), and decimals too large for a double, give NaN or an
     * infinity: callers decide whether non-finite values are acceptable.
     */
    static Double parse(String text) {
        String s = text.strip();
        if (isDecimal(s)) {
            return Double.parseDouble(s);
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (NON_FINITE.matcher(lower).matches()) {
            if (lower.endsWith("nan")) {
                return Double.NaN;
            }
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return null;
    }

    /**
     * True when {@code s} is an optional sign, digits with at most one decimal point (at least one
     * digit on either side of it), and an optional exponent ({@code e} or {@code E}, optional sign,
     * at least one digit). Digits are ASCII 0-9 only, as Java's {@code \d} is by default.
     */
    static boolean isDecimal(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int intStart = i;
        i = skipDigits(s, i);
        int intDigits = i - intStart;
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            int fracStart = ++i;
            i = skipDigits(s, i);
            fracDigits = i - fracStart;
        }
        if (intDigits == 0 && fracDigits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expStart = i;
            i = skipDigits(s, i);
            if (i == expStart) {
                return false;
            }
        }
        return i == n;
    }

    private static int skipDigits(String s, int i) {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /**
     * The canonical decimal text of a finite number, used when a number names a category:
     * no exponent and no trailing zeros, so 2.0 reads as "2" and 0.50 as "0.5".
     */
    static String canonical(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not finite: " + value);
        }
        if (value == 0) {
            return "0"; // also for -0.0
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
