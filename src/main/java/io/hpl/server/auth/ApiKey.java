package io.hpl.server.auth;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One API key as configured: its name (the principal in the audit log), its role, and the SHA-256 of
 * its token (64 hex digits; the token itself is never stored). Written {@code name:role:sha256}.
 */
public record ApiKey(String name, Role role, byte[] tokenSha256) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

    /** Parses {@code name:role:sha256hex}; the message of a failure says which part is wrong and how to fix it. */
    public static ApiKey parse(String entry) {
        String[] parts = entry.trim().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("API key entry '" + shortened(entry)
                    + "' is not name:role:sha256 (three parts separated by ':')");
        }
        String name = parts[0].trim();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("API key name '" + shortened(name)
                    + "' must match " + NAME.pattern());
        }
        Role role;
        try {
            role = Role.parse(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("API key '" + name + "': " + e.getMessage());
        }
        String hash = parts[2].trim();
        if (!HEX.matcher(hash).matches()) {
            throw new IllegalArgumentException("API key '" + name + "': the third part must be the SHA-256 of the token"
                    + " as 64 hex digits (printf %s \"$TOKEN\" | sha256sum | cut -d\" \" -f1), not the token itself");
        }
        return new ApiKey(name, role, HexFormat.of().parseHex(hash));
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
