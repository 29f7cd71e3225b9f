package io.hpl.server.oip;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.hpl.server.api.GrpcErrors;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * The Open Inference Protocol v2 REST routes ({@code /v2/...}, JSON) on Quarkus' HTTP server, as
 * plain Vert.x routes: no REST extension for six routes. The same {@link OipInference} answers as
 * over gRPC; a failure is the protocol's {@code {"error": "..."}} with the message of the gRPC status
 * ({@link GrpcErrors}: one place for messages) and an HTTP code for its kind.
 */
@ApplicationScoped
public class OipRestRoutes {
    /** Request bodies up to the gRPC server's inbound message limit (16 MiB): the same batches both ways. */
    static final long MAX_BODY_BYTES = 16L << 20;

    private final OipInference inference;
    private final ServerInfo server;
    private final ObjectMapper json;

    public OipRestRoutes(OipInference inference, ServerInfo server, ObjectMapper json) {
        this.inference = inference;
        this.server = server;
        this.json = json;
    }

    void register(@Observes Router router) {
        router.get("/v2/health/live").handler(ctx -> send(ctx, 200, json.createObjectNode().put("live", true)));
        router.get("/v2/health/ready").handler(ctx -> {
            boolean ready = inference.serverReady();
            send(ctx, ready ? 200 : 503, json.createObjectNode().put("ready", ready));
        });
        router.get("/v2").handler(ctx -> send(ctx, 200, json.createObjectNode().put("name", server.name())
                .put("version", server.version()).set("extensions", json.createArrayNode())));
        for (String model : List.of("/v2/models/:name", "/v2/models/:name/versions/:version")) {
            router.get(model).blockingHandler(answer(ctx -> metadata(inference.metadata(name(ctx), version(ctx)))), false);
            router.get(model + "/ready").blockingHandler(ctx -> {
                try {
                    boolean ready = inference.modelReady(name(ctx), version(ctx));
                    send(ctx, ready ? 200 : 503, json.createObjectNode().put("name", name(ctx)).put("ready", ready));
                } catch (RuntimeException e) {
                    fail(ctx, e);
                }
            }, false);
            router.post(model + "/infer").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                    .blockingHandler(answer(ctx -> result(inference.infer(request(ctx)))), false);
        }
        // Anything else under /v2 (a typo in the path, a wrong method) gets the protocol's error body too.
        router.route("/v2/*").order(ANYTHING_ELSE).handler(ctx -> send(ctx, 404, json.createObjectNode().put("error",
                "no OIP v2 route for " + ctx.request().method() + " " + EchoedInput.quote(ctx.normalizedPath())
                        + "; the routes are GET /v2, /v2/health/{live,ready}, /v2/models/{name}[/versions/{v}][/ready]"
                        + " and POST /v2/models/{name}[/versions/{v}]/infer")));
    }

    /** After every route registered by default order (their position), whoever registers them. */
    private static final int ANYTHING_ELSE = 100_000;

    private static String name(RoutingContext ctx) {
        return ctx.pathParam("name");
    }

    private static String version(RoutingContext ctx) {
        String v = ctx.pathParam("version");
        return v == null ? "" : v;
    }

    private Handler<RoutingContext> answer(Function<RoutingContext, JsonNode> work) {
        return ctx -> {
            try {
                send(ctx, 200, work.apply(ctx));
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
        };
    }

    private void send(RoutingContext ctx, int code, JsonNode body) {
        try {
            ctx.response().setStatusCode(code).putHeader("content-type", "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    private void fail(RoutingContext ctx, RuntimeException e) {
        Status status = GrpcErrors.toStatus(e).getStatus(); // logs an unexpected failure, keeps internals out
        send(ctx, httpCode(status.getCode()), json.createObjectNode().put("error", status.getDescription()));
    }

    /** The HTTP code for a status: 400 for what the caller must change, 404 for what is not there. */
    static int httpCode(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS -> 400;
            case NOT_FOUND -> 404;
            case RESOURCE_EXHAUSTED -> 413;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case UNAVAILABLE -> 503;
            case UNIMPLEMENTED -> 501;
            default -> 500;
        };
    }

    private InferRequest request(RoutingContext ctx) {
        JsonNode body;
        try {
            body = json.readTree(ctx.body().asString("UTF-8"));
        } catch (JacksonException e) {
            throw HplException.invalid("the request body is not JSON: " + EchoedInput.quote(e.getOriginalMessage()));
        }
        if (body == null || !body.isObject()) {
            throw HplException.invalid("the request body must be a JSON object with \"inputs\"");
        }
        Double level = null;
        JsonNode parameters = body.path("parameters");
        if (parameters.has(OipInference.INTERVAL_LEVEL)) {
            JsonNode p = parameters.get(OipInference.INTERVAL_LEVEL);
            level = p.isNumber() ? p.asDouble() : OipGrpcService.parseLevel(p.asText());
        }
        List<InputTensor> inputs = new ArrayList<>();
        for (JsonNode t : array(body, "inputs")) {
            inputs.add(input(t));
        }
        List<String> outputs = new ArrayList<>();
        for (JsonNode o : array(body, "outputs")) {
            outputs.add(o.path("name").asText());
        }
        return new InferRequest(name(ctx), version(ctx), body.path("id").asText(""), level, inputs, outputs);
    }

    private static Iterable<JsonNode> array(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw HplException.invalid("\"" + field + "\" must be a JSON array");
        }
        return node;
    }

    private static InputTensor input(JsonNode t) {
        String name = t.path("name").asText("");
        if (name.isEmpty()) {
            throw HplException.invalid("an input has no \"name\"");
        }
        TensorType type = TensorType.parse(name, t.path("datatype").asText(""));
        List<Long> dims = new ArrayList<>();
        for (JsonNode d : t.path("shape")) {
            if (!d.canConvertToLong()) {
                throw HplException.invalid("input " + EchoedInput.quote(name) + ": shape must be a list of integers");
            }
            dims.add(d.asLong());
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        List<JsonNode> data = new ArrayList<>();
        flatten(t.path("data"), data); // the protocol allows nested (row-major) or flat data
        if (type == TensorType.BYTES) {
            String[] texts = new String[data.size()];
            for (int i = 0; i < texts.length; i++) {
                JsonNode v = data.get(i);
                if (!(v.isTextual() || v.isNull())) {
                    throw HplException.invalid("input " + EchoedInput.quote(name) + ": BYTES data must be strings, element "
                            + i + " is " + EchoedInput.quote(v.toString()));
                }
                texts[i] = v.isNull() ? "" : v.asText();
            }
            return InputTensor.texts(name, shape, texts);
        }
        double[] values = new double[data.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = data.get(i);
            if (!(v.isNumber() || v.isNull())) {
                throw HplException.invalid("input " + EchoedInput.quote(name) + ": " + type + " data must be numbers (null for"
                        + " a missing value), element " + i + " is " + EchoedInput.quote(v.toString()));
            }
            values[i] = v.isNull() ? Double.NaN : v.asDouble();
        }
        return InputTensor.numbers(name, type, shape, values);
    }

    private static void flatten(JsonNode node, List<JsonNode> out) {
        if (node.isArray()) {
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                flatten(it.next(), out);
            }
        } else if (!node.isMissingNode()) {
            out.add(node);
        }
    }

    private JsonNode metadata(ModelMetadata m) {
        ObjectNode out = json.createObjectNode().put("name", m.name()).put("platform", m.platform());
        ArrayNode versions = out.putArray("versions");
        m.versions().forEach(versions::add);
        tensors(out.putArray("inputs"), m.inputs());
        tensors(out.putArray("outputs"), m.outputs());
        ObjectNode parameters = out.putObject("parameters");
        m.properties().forEach(parameters::put);
        return out;
    }

    private static void tensors(ArrayNode out, List<ModelMetadata.TensorSpec> specs) {
        for (ModelMetadata.TensorSpec s : specs) {
            ObjectNode t = out.addObject().put("name", s.name()).put("datatype", s.datatype());
            ArrayNode shape = t.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
        }
    }

    private JsonNode result(InferResult r) {
        ObjectNode out = json.createObjectNode().put("model_name", r.modelName())
                .put("model_version", Integer.toString(r.version()));
        if (!r.id().isEmpty()) {
            out.put("id", r.id());
        }
        ArrayNode outputs = out.putArray("outputs");
        for (InferResult.Output o : r.outputs()) {
            ObjectNode t = outputs.addObject().put("name", o.name()).put("datatype", TensorType.FP32.name());
            t.putArray("shape").add(o.values().length);
            ArrayNode data = t.putArray("data");
            for (float v : o.values()) {
                data.add(v);
            }
        }
        return out;
    }

}
