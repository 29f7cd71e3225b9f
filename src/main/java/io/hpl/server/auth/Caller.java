package io.hpl.server.auth;

import io.grpc.Context;

/** Who made a call: an API key's name and role, or {@link #ANONYMOUS} when authentication is off. */
public record Caller(String name, Role role) {
    /** With authentication off every caller is this one, with every right. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Role.ADMIN);

    /** The caller of the current call, for code that runs in the call's gRPC context. */
    public static final Context.Key<Caller> CONTEXT_KEY = Context.key("hpl-caller");
}
