package io.hpl.server.auth;

import java.util.Locale;

/** What an API key may do. An admin may do everything a reader may. */
public enum Role {
    /** Predict, Evaluate, Get*, List*, WatchJob, ListMethods, server reflection. */
    READER,
    /** Everything: uploads, training and jobs, deletes, and any method not yet in {@link MethodRoles}. */
    ADMIN;

    public boolean covers(Role needed) {
        return this == ADMIN || needed == READER;
    }

    /** The lower-case name used in configuration and messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "': use reader or admin");
    }
}
