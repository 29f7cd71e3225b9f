package io.hpl.server.auth;

import io.grpc.Metadata;
import io.grpc.Status;
import io.hpl.server.config.ServerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a call may run: reads {@code authorization: Bearer <token>}, finds its key and
 * checks the key's role against {@link MethodRoles}. With {@code hpl.auth.enabled=false} every call
 * runs as {@link Caller#ANONYMOUS}. A server with authentication on and no key refuses to start:
 * it could answer nothing but UNAUTHENTICATED, and a failed start is seen at once.
 */
@ApplicationScoped
public class Authenticator {
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final String MISSING = "missing bearer token: send 'authorization: Bearer <token>'";
    static final String UNKNOWN = "unknown token: no API key has this token's SHA-256 (see hpl.auth.keys)";

    /** Either the caller (allowed) or the status that refuses the call. */
    public record Decision(Caller caller, Status refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    private final boolean enabled;
    private final ApiKeys keys;
    /** hpl.mode=worker: a training worker serves no calls (loopback, ephemeral ports: see io.hpl.server.Main). */
    private final boolean worker;

    @Inject
    public Authenticator(ServerConfig config, ApiKeys keys) {
        this(config.auth().enabled(), keys, "worker".equals(config.mode()));
    }

    public Authenticator(boolean enabled, ApiKeys keys) {
        this(enabled, keys, false);
    }

    private Authenticator(boolean enabled, ApiKeys keys, boolean worker) {
        this.enabled = enabled;
        this.keys = keys;
        this.worker = worker;
    }

    void refuseToStartWithoutKeys(@Observes StartupEvent event) {
        if (worker) {
            return;
        }
        if (enabled && keys.size() == 0) {
            throw new IllegalStateException("hpl.auth.enabled is true and no API key is configured: set hpl.auth.keys"
                    + " (HPL_AUTH_KEYS) or hpl.auth.keys-file (HPL_AUTH_KEYS_FILE) to name:role:sha256 entries, the"
                    + " sha256 from printf %s \"$TOKEN\" | sha256sum; or run without authentication with"
                    + " hpl.auth.enabled=false (docs/operations.md#security)");
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public Decision decide(String fullMethodName, Metadata headers) {
        return decide(fullMethodName, headers.get(AUTHORIZATION));
    }

    /** The same decision from the value of an {@code authorization} header (null when absent): gRPC and HTTP. */
    public Decision decide(String fullMethodName, String authorization) {
        if (!enabled) {
            return new Decision(Caller.ANONYMOUS, null);
        }
        Optional<Role> needed = MethodRoles.of(fullMethodName).role();
        if (needed.isEmpty()) {
            return new Decision(Caller.ANONYMOUS, null);
        }
        Optional<String> token = bearerToken(authorization);
        if (token.isEmpty()) {
            return new Decision(null, Status.UNAUTHENTICATED.withDescription(MISSING));
        }
        Optional<ApiKey> key = keys.match(token.get());
        if (key.isEmpty()) {
            return new Decision(null, Status.UNAUTHENTICATED.withDescription(UNKNOWN));
        }
        Caller caller = new Caller(key.get().name(), key.get().role());
        if (!caller.role().covers(needed.get())) {
            return new Decision(caller, Status.PERMISSION_DENIED.withDescription("method " + fullMethodName
                    + " needs role " + needed.get().label() + "; key '" + caller.name() + "' has role "
                    + caller.role().label()));
        }
        return new Decision(caller, null);
    }

    /** The token of {@code Bearer <token>} (scheme case-insensitive, RFC 6750), or empty. */
    static Optional<String> bearerToken(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
