package io.hpl.server.auth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.hpl.server.api.GeneratedCsv;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import inference.GRPCInferenceServiceGrpc;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.audit.AuditCapture;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole server with authentication on (two test keys): every RPC of hpl.v1.RegressionService and
 * of the Open Inference Protocol's gRPC service × {no token, unknown token, reader, admin} gets the
 * right status, and so do the OIP REST routes; health stays open; reflection
 * needs a token; every method of every service the server registers has a row in MethodRoles; and
 * an admin's upload and delete leave audit lines naming the key, the dataset id and the outcome.
 * The expected role of each RPC is written here from the rule (Get*, List*, Predict,
 * PredictStream, PredictDataset, Evaluate, WatchJob, DownloadModel and OIP inference: reader; OIP ServerLive/ServerReady: open;
 * the rest: admin), not read from MethodRoles.
 */
@QuarkusTest
@TestProfile(AuthMatrixTest.AuthOn.class)
class AuthMatrixTest {
    static final String READER = AuthInterceptorTest.READER_TOKEN;
    static final String ADMIN = AuthInterceptorTest.ADMIN_TOKEN;

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpl.auth.enabled", "true",
                    "hpl.auth.keys", "dash:reader:" + AuthInterceptorTest.hex(READER) + ",ci:admin:" + AuthInterceptorTest.hex(ADMIN));
        }
    }

    @GrpcClient("regression")
    Channel channel;

    @Inject
    MeterRegistry registry;

    private static boolean readerMethod(String name) {
        return name.startsWith("Get") || name.startsWith("List")
                || Set.of("Predict", "PredictStream", "PredictDataset", "Evaluate", "WatchJob", "DownloadModel").contains(name);
    }

    private static Metadata authorization(String value) {
        Metadata headers = new Metadata();
        if (value != null) {
            headers.put(Authenticator.AUTHORIZATION, value);
        }
        return headers;
    }

    /** Calls the method with an empty request (or one empty message, for the upload stream); the status it ends with. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Status call(MethodDescriptor method, String authorizationValue) {
        Channel withHeaders = io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(authorization(authorizationValue)));
        Message empty = (Message) ((MethodDescriptor.PrototypeMarshaller) method.getRequestMarshaller()).getMessagePrototype();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
        try {
            switch (method.getType()) {
                case UNARY -> ClientCalls.blockingUnaryCall(withHeaders, method, options, empty);
                case SERVER_STREAMING -> {
                    Iterator<?> events = ClientCalls.blockingServerStreamingCall(withHeaders, method, options, empty);
                    while (events.hasNext()) {
                        events.next();
                    }
                }
                case CLIENT_STREAMING, BIDI_STREAMING -> { // one empty message, then the end of the requests
                    CompletableFuture<Status> done = new CompletableFuture<>();
                    ClientCall clientCall = withHeaders.newCall(method, options);
                    StreamObserver requests = ClientCalls.asyncClientStreamingCall(clientCall, new StreamObserver<Object>() {
                        @Override
                        public void onNext(Object value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.complete(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            done.complete(Status.OK);
                        }
                    });
                    requests.onNext(empty);
                    requests.onCompleted();
                    return done.get(60, TimeUnit.SECONDS);
                }
                default -> throw new AssertionError("no RPC of type " + method.getType() + " expected: " + method);
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        } catch (Exception e) {
            throw new AssertionError(method.getFullMethodName() + ": " + e, e);
        }
    }

    /** OIP: liveness and readiness are probes (open); the other methods read models (reader). */
    private static boolean openMethod(String fullName) {
        return Set.of("inference.GRPCInferenceService/ServerLive", "inference.GRPCInferenceService/ServerReady").contains(fullName);
    }

    @Test
    void everyRpcTimesEveryKindOfCallerGetsTheRightStatus() {
        List<String> wrong = new ArrayList<>();
        int cells = 0;
        List<MethodDescriptor<?, ?>> methods = new ArrayList<>(RegressionServiceGrpc.getServiceDescriptor().getMethods());
        methods.addAll(GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods());
        for (MethodDescriptor<?, ?> method : methods) {
            String name = method.getFullMethodName();
            boolean oip = name.startsWith("inference.");
            boolean reader = oip || readerMethod(method.getBareMethodName());
            Status none = call(method, null);
            Status unknown = call(method, "Bearer not-a-key");
            Status asReader = call(method, "Bearer " + READER);
            Status asAdmin = call(method, "Bearer " + ADMIN);
            cells += 4;
            if (openMethod(name)) {
                notAnAuthError(wrong, name + " without a token", none);
                notAnAuthError(wrong, name + " with an unknown token", unknown);
            } else {
                expect(wrong, name + " without a token", none, Status.Code.UNAUTHENTICATED, "missing bearer token");
                expect(wrong, name + " with an unknown token", unknown, Status.Code.UNAUTHENTICATED, "unknown token");
            }
            if (reader) {
                notAnAuthError(wrong, name + " as reader", asReader);
            } else {
                expect(wrong, name + " as reader", asReader, Status.Code.PERMISSION_DENIED,
                        "method " + name + " needs role admin; key 'dash' has role reader");
            }
            notAnAuthError(wrong, name + " as admin", asAdmin);
        }
        assertEquals((21 + 6) * 4, cells, "RegressionService has 21 RPCs, GRPCInferenceService 6: this matrix must grow with them");
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        // AuthInterceptor runs first: the metrics interceptor behind it never saw the refused calls.
        for (String code : List.of("UNAUTHENTICATED", "PERMISSION_DENIED")) {
            assertTrue(registry.find("hpl.rpc.duration").tag("code", code).timers().isEmpty(),
                    "refused calls reached RequestMetricsInterceptor (" + code + "): the auth interceptor is not first");
        }
        assertTrue(!registry.find("hpl.rpc.duration").timers().isEmpty(), "the allowed calls are timed");
    }

    private static void expect(List<String> wrong, String what, Status status, Status.Code code, String messageStart) {
        if (status.getCode() != code || status.getDescription() == null || !status.getDescription().startsWith(messageStart)) {
            wrong.add(what + ": expected " + code + " '" + messageStart + "…', got " + status);
        }
    }

    private static void notAnAuthError(List<String> wrong, String what, Status status) {
        Status.Code code = status.getCode();
        if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED
                || code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN) {
            wrong.add(what + ": got " + status);
        }
    }

    @Test
    void theOipRestRoutesAskForTheSameTokensAndRoles() {
        // route -> expected without a token: 200-ish (open) or 401; with a reader token never 401/403
        Map<String, Boolean> open = Map.of("/v2/health/live", true, "/v2/health/ready", true, "/v2", false,
                "/v2/models/nosuch", false, "/v2/models/nosuch/ready", false);
        List<String> wrong = new ArrayList<>();
        open.forEach((path, isOpen) -> {
            int none = given().get(path).statusCode();
            int unknown = given().header("authorization", "Bearer not-a-key").get(path).statusCode();
            int reader = given().header("authorization", "Bearer " + READER).get(path).statusCode();
            if (isOpen ? (none == 401 || none == 403) : none != 401) {
                wrong.add("GET " + path + " without a token: " + none);
            }
            if (!isOpen && unknown != 401) {
                wrong.add("GET " + path + " with an unknown token: " + unknown);
            }
            if (reader == 401 || reader == 403) {
                wrong.add("GET " + path + " as reader: " + reader);
            }
        });
        String infer = "/v2/models/nosuch/infer";
        String body = "{\"inputs\":[]}";
        int none = given().contentType("application/json").body(body).post(infer).statusCode();
        int reader = given().header("authorization", "Bearer " + READER).contentType("application/json").body(body)
                .post(infer).statusCode();
        if (none != 401) {
            wrong.add("POST " + infer + " without a token: " + none);
        }
        if (reader == 401 || reader == 403) {
            wrong.add("POST " + infer + " as reader: " + reader);
        }
        given().get("/v2/models/nosuch").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error", org.hamcrest.Matchers.startsWith("missing bearer token"));
        // a path that is no route needs admin, like an unlisted gRPC method
        given().header("authorization", "Bearer " + READER).get("/v2/repository/index").then().statusCode(403);
        given().header("authorization", "Bearer " + ADMIN).get("/v2/repository/index").then().statusCode(404);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void healthStaysOpenAndReflectionNeedsAToken() throws Exception {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertNotEquals(HealthCheckResponse.ServingStatus.UNKNOWN, health.getStatus());
        Status anonymous = Status.fromThrowable(reflect(null, ServerReflectionRequest.newBuilder().setListServices("").build())
                .handle((r, e) -> e).get(60, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getCode(), anonymous.toString());
        ServerReflectionResponse listed = reflect(READER, ServerReflectionRequest.newBuilder().setListServices("").build())
                .get(60, TimeUnit.SECONDS);
        assertTrue(listed.getListServicesResponse().getServiceList().stream()
                .anyMatch(s -> s.getName().equals("hpl.v1.RegressionService")), listed.toString());
    }

    @Test
    void everyMethodOfEveryRegisteredServiceHasADeclaredRole() throws Exception {
        ServerReflectionResponse listed = reflect(READER, ServerReflectionRequest.newBuilder().setListServices("").build())
                .get(60, TimeUnit.SECONDS);
        Set<String> methods = new TreeSet<>();
        for (var service : listed.getListServicesResponse().getServiceList()) {
            ServerReflectionResponse files = reflect(READER, ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol(service.getName()).build()).get(60, TimeUnit.SECONDS);
            for (ByteString bytes : files.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
                for (ServiceDescriptorProto s : file.getServiceList()) {
                    String full = file.getPackage().isEmpty() ? s.getName() : file.getPackage() + "." + s.getName();
                    if (full.equals(service.getName())) {
                        s.getMethodList().forEach(m -> methods.add(full + "/" + m.getName()));
                    }
                }
            }
        }
        assertTrue(methods.contains("hpl.v1.RegressionService/Predict"), methods.toString());
        assertTrue(methods.contains("grpc.health.v1.Health/Check"), methods.toString());
        Set<String> undeclared = new LinkedHashSet<>();
        methods.stream().filter(m -> !MethodRoles.declares(m)).forEach(undeclared::add);
        assertTrue(undeclared.isEmpty(), "give these methods a role in auth/MethodRoles (they need admin until then): "
                + undeclared);
    }

    @Test
    void anAdminsUploadAndDeleteAreAuditedWithTheKeyTheIdAndTheOutcome() throws Exception {
        var admin = RegressionServiceGrpc.newStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(authorization("Bearer " + ADMIN)));
        try (AuditCapture audit = new AuditCapture()) {
            CompletableFuture<DatasetInfo> uploaded = new CompletableFuture<>();
            StreamObserver<UploadDatasetRequest> upload = admin.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .uploadDataset(observer(uploaded));
            upload.onNext(UploadDatasetRequest.newBuilder().setHeader(DatasetHeader.newBuilder()
                    .setName("audited").setTargetColumn("y").addIgnoreColumns("id")).build());
            upload.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFrom(
                    GeneratedCsv.make(40, 0, 11), StandardCharsets.UTF_8)).build());
            upload.onCompleted();
            String id = uploaded.get(60, TimeUnit.SECONDS).getId();
            RegressionServiceGrpc.newBlockingStub(channel).withInterceptors(
                    MetadataUtils.newAttachHeadersInterceptor(authorization("Bearer " + ADMIN)))
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .deleteDataset(io.hpl.server.api.v1.DeleteDatasetRequest.newBuilder().setId(id).build());

            AuditCapture.Line up = audit.of("hpl.v1.RegressionService/UploadDataset").get(0);
            assertEquals(Map.of("audit.principal", "ci", "audit.method", "hpl.v1.RegressionService/UploadDataset",
                    "audit.dataset_id", id, "audit.outcome", "OK"), up.fields());
            AuditCapture.Line delete = audit.of("hpl.v1.RegressionService/DeleteDataset").get(0);
            assertEquals("principal=ci method=hpl.v1.RegressionService/DeleteDataset dataset_id=" + id + " outcome=OK",
                    delete.message());
        }
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                into.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                into.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                into.completeExceptionally(new AssertionError("completed without a reply"));
            }
        };
    }

    /** One reflection request; the first response (the stream is then closed). */
    private CompletableFuture<ServerReflectionResponse> reflect(String token, ServerReflectionRequest request) {
        var stub = ServerReflectionGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        if (token != null) {
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(authorization("Bearer " + token)));
        }
        CompletableFuture<ServerReflectionResponse> response = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = stub.serverReflectionInfo(observer(response));
        requests.onNext(request);
        response.whenComplete((r, e) -> requests.onCompleted());
        return response;
    }
}
