package io.hpl.server.auth;

import io.hpl.server.errors.EchoedInput;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The same tokens and roles for the Open Inference Protocol's REST routes ({@code /v2/...} on the
 * HTTP port) as for its gRPC service: each route is checked as its gRPC twin in
 * {@link MethodRoles} (GET /v2/health/live is ServerLive, POST /v2/models/m/infer is ModelInfer, …),
 * so one table still says who may do what. A path under /v2 that is no route needs admin, like an
 * unlisted method. Refusals are the protocol's error body with 401 (and {@code WWW-Authenticate:
 * Bearer}) or 403. Registered before the OIP routes, so nothing else runs for a refused request.
 */
@ApplicationScoped
public class OipRestAuth {
    private static final String OIP = "inference.GRPCInferenceService/";
    /** Before any route registered in the default order. */
    static final int ORDER = -1_000;

    private final Authenticator authenticator;

    public OipRestAuth(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    void register(@Observes Router router) {
        router.route("/v2/*").order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String method = grpcTwin(ctx.request().method(), ctx.normalizedPath());
        Authenticator.Decision decision = authenticator.decide(method, ctx.request().getHeader("authorization"));
        if (decision.allowed()) {
            ctx.next();
            return;
        }
        boolean unauthenticated = decision.refusal().getCode() == io.grpc.Status.Code.UNAUTHENTICATED;
        if (unauthenticated) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        ctx.response().setStatusCode(unauthenticated ? 401 : 403)
                .putHeader("content-type", "application/json")
                .end(io.vertx.core.json.Json.encode(java.util.Map.of("error", decision.refusal().getDescription())));
    }

    /** The gRPC method a REST request stands for; for a path that is no route, a name no table row has. */
    static String grpcTwin(HttpMethod method, String path) {
        String[] parts = path.replaceAll("/+$", "").split("/");
        // parts[0] is "" (the leading slash), parts[1] is "v2"
        if (method == HttpMethod.GET && parts.length == 2) {
            return OIP + "ServerMetadata";
        }
        if (method == HttpMethod.GET && parts.length == 4 && parts[2].equals("health")) {
            if (parts[3].equals("live")) {
                return OIP + "ServerLive";
            }
            if (parts[3].equals("ready")) {
                return OIP + "ServerReady";
            }
        }
        if (parts.length >= 4 && parts[2].equals("models")) {
            int rest = parts.length == 4 || parts.length == 5 ? 4 // /v2/models/m[/x]
                    : parts.length >= 6 && parts[4].equals("versions") ? 6 : -1; // /v2/models/m/versions/v[/x]
            if (rest > 0 && parts.length == rest && method == HttpMethod.GET) {
                return OIP + "ModelMetadata";
            }
            if (rest > 0 && parts.length == rest + 1) {
                if (method == HttpMethod.GET && parts[rest].equals("ready")) {
                    return OIP + "ModelReady";
                }
                if (method == HttpMethod.POST && parts[rest].equals("infer")) {
                    return OIP + "ModelInfer";
                }
            }
        }
        return "HTTP " + method.name() + " " + EchoedInput.shorten(path); // no row: admin only
    }
}
