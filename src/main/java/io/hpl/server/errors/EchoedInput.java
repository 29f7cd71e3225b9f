package io.hpl.server.errors;

/**
 * The one rule for quoting a caller's input in an error message: at most {@link #MAX_CHARS}
 * characters, then an ellipsis. Error messages travel in an HTTP/2 header (grpc-message), and a
 * message that echoed a long cell or name whole outgrew clients' header limits (about 8 KiB), so
 * the caller got INTERNAL "Received RST_STREAM" instead of the error that was meant.
 */
public final class EchoedInput {
    /** Enough to recognise a value, far below any header limit. */
    public static final int MAX_CHARS = 200;

    private EchoedInput() {
    }

    /** {@code text} in single quotes, shortened to {@link #MAX_CHARS} characters with "…" and its full length. */
    public static String quote(String text) {
        return "'" + shorten(text) + "'";
    }

    /** {@code text} shortened to {@link #MAX_CHARS} characters, with "…" and its full length when it was longer. */
    public static String shorten(String text) {
        if (text == null) {
            return "null";
        }
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a character in two
        }
        return text.substring(0, end) + "… (" + text.length() + " characters)";
    }
}
