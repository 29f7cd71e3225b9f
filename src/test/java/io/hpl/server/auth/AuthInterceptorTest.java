package io.hpl.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.DeleteDatasetRequest;
import io.hpl.server.api.v1.DeleteDatasetResponse;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.DeleteModelResponse;
import io.hpl.server.api.v1.GetDatasetRequest;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.api.v1.TrainAccepted;
import io.hpl.server.api.v1.TrainCancelled;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.audit.AuditCapture;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interceptor over a real (Netty, loopback, any free port) gRPC server in front of a stand-in
 * service, without Quarkus: the statuses and messages a caller gets, and the audit lines written.
 */
class AuthInterceptorTest {
    static final String READER_TOKEN = "reader-token-0123456789";
    static final String ADMIN_TOKEN = "admin-token-9876543210";
    static final String HPL = "hpl.v1.RegressionService/";

    private Server server;
    private ManagedChannel channel;

    /**
     * Answers GetDataset, DeleteDataset, DeleteModel and UploadDataset without doing anything. Built
     * from handlers, not as a subclass of the generated ImplBase: Quarkus' build scans test classes and
     * takes such a subclass for the application's implementation (the real service then went missing
     * from @QuarkusTest servers).
     */
    static ServerServiceDefinition standIn() {
        return ServerServiceDefinition.builder(RegressionServiceGrpc.SERVICE_NAME)
                .addMethod(RegressionServiceGrpc.getGetDatasetMethod(), ServerCalls.asyncUnaryCall(
                        (GetDatasetRequest request, StreamObserver<DatasetInfo> reply) -> {
                            reply.onNext(DatasetInfo.newBuilder().setId(request.getId()).build());
                            reply.onCompleted();
                        }))
                .addMethod(RegressionServiceGrpc.getDeleteDatasetMethod(), ServerCalls.asyncUnaryCall(
                        (DeleteDatasetRequest request, StreamObserver<DeleteDatasetResponse> reply) -> {
                            if (request.getId().equals("missing")) {
                                reply.onError(Status.NOT_FOUND.withDescription("no dataset 'missing'").asRuntimeException());
                                return;
                            }
                            reply.onNext(DeleteDatasetResponse.getDefaultInstance());
                            reply.onCompleted();
                        }))
                .addMethod(RegressionServiceGrpc.getDeleteModelMethod(), ServerCalls.asyncUnaryCall(
                        (DeleteModelRequest request, StreamObserver<DeleteModelResponse> reply) -> {
                            reply.onNext(DeleteModelResponse.newBuilder().setVersionsDeleted(2).build());
                            reply.onCompleted();
                        }))
                .addMethod(RegressionServiceGrpc.getStartTrainingMethod(), ServerCalls.asyncUnaryCall(
                        (TrainRequest request, StreamObserver<JobInfo> reply) -> {
                            reply.onNext(JobInfo.newBuilder().setId("job-7").build());
                            reply.onCompleted();
                        }))
                .addMethod(RegressionServiceGrpc.getTrainMethod(), ServerCalls.asyncServerStreamingCall(
                        (TrainRequest request, StreamObserver<TrainEvent> reply) -> {
                            reply.onNext(TrainEvent.newBuilder().setAccepted(TrainAccepted.newBuilder().setJobId("job-8")).build());
                            reply.onNext(TrainEvent.newBuilder().setCancelled(TrainCancelled.newBuilder().setJobId("job-8")).build());
                            reply.onError(Status.CANCELLED.withDescription("job job-8 was cancelled").asRuntimeException());
                        }))
                .addMethod(RegressionServiceGrpc.getCancelJobMethod(), ServerCalls.asyncUnaryCall(
                        (CancelJobRequest request, StreamObserver<JobInfo> reply) -> {
                            reply.onNext(JobInfo.newBuilder().setId(request.getJobId()).build());
                            reply.onCompleted();
                        }))
                .addMethod(RegressionServiceGrpc.getUploadDatasetMethod(), ServerCalls.asyncClientStreamingCall(
                        (StreamObserver<DatasetInfo> reply) -> new StreamObserver<UploadDatasetRequest>() {
                            @Override
                            public void onNext(UploadDatasetRequest value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                reply.onNext(DatasetInfo.newBuilder().setId("ds-uploaded").build());
                                reply.onCompleted();
                            }
                        }))
                .build();
    }

    static ApiKeys testKeys() {
        return new ApiKeys(List.of(
                ApiKey.parse("dash:reader:" + hex(READER_TOKEN)),
                ApiKey.parse("ci:admin:" + hex(ADMIN_TOKEN))));
    }

    static String hex(String token) {
        return HexFormat.of().formatHex(ApiKeys.sha256(token));
    }

    private RegressionServiceGrpc.RegressionServiceBlockingStub start(boolean enabled) throws Exception {
        AuthInterceptor interceptor = new AuthInterceptor(new Authenticator(enabled, testKeys()));
        server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(standIn(), interceptor)).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        return RegressionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static <S extends io.grpc.stub.AbstractStub<S>> S bearer(S stub, String authorization) {
        Metadata headers = new Metadata();
        headers.put(Authenticator.AUTHORIZATION, authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static StatusRuntimeException refused(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run);
    }

    @Test
    void noTokenIsUnauthenticatedAndSaysWhatToSend() throws Exception {
        var stub = start(true);
        StatusRuntimeException e = refused(() -> stub.getDataset(GetDatasetRequest.newBuilder().setId("x").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("missing bearer token: send 'authorization: Bearer <token>'", e.getStatus().getDescription());
        StatusRuntimeException basic = refused(() -> bearer(stub, "Basic dXNlcjpwYXNz")
                .getDataset(GetDatasetRequest.newBuilder().setId("x").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, basic.getStatus().getCode());
    }

    @Test
    void anUnknownTokenIsUnauthenticated() throws Exception {
        var stub = start(true);
        StatusRuntimeException e = refused(() -> bearer(stub, "Bearer not-a-key")
                .getDataset(GetDatasetRequest.newBuilder().setId("x").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("unknown token"), e.getStatus().getDescription());
    }

    @Test
    void aReaderReadsButMayNotDeleteAndTheRefusalIsAudited() throws Exception {
        var stub = start(true);
        assertEquals("d1", bearer(stub, "Bearer " + READER_TOKEN)
                .getDataset(GetDatasetRequest.newBuilder().setId("d1").build()).getId());
        assertEquals("d1", bearer(stub, "bearer " + READER_TOKEN) // the scheme is case-insensitive (RFC 6750)
                .getDataset(GetDatasetRequest.newBuilder().setId("d1").build()).getId());
        try (AuditCapture audit = new AuditCapture()) {
            StatusRuntimeException e = refused(() -> bearer(stub, "Bearer " + READER_TOKEN)
                    .deleteDataset(DeleteDatasetRequest.newBuilder().setId("d1").build()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            assertEquals("method hpl.v1.RegressionService/DeleteDataset needs role admin; key 'dash' has role reader",
                    e.getStatus().getDescription());
            List<AuditCapture.Line> lines = audit.of(HPL + "DeleteDataset");
            assertEquals(1, lines.size(), audit.lines().toString());
            assertEquals("dash", lines.get(0).fields().get("audit.principal"));
            assertEquals("PERMISSION_DENIED", lines.get(0).fields().get("audit.outcome"));
        }
    }

    @Test
    void anAdminDeletesAndEachMutatingCallIsAuditedWithItsTargetsAndOutcome() throws Exception {
        var stub = bearer(start(true), "Bearer " + ADMIN_TOKEN);
        try (AuditCapture audit = new AuditCapture()) {
            stub.deleteDataset(DeleteDatasetRequest.newBuilder().setId("ds-1").build());
            assertEquals(Status.Code.NOT_FOUND, refused(() ->
                    stub.deleteDataset(DeleteDatasetRequest.newBuilder().setId("missing").build())).getStatus().getCode());
            stub.deleteModel(DeleteModelRequest.newBuilder().setName("house").setVersion(0).build());
            stub.getDataset(GetDatasetRequest.newBuilder().setId("ds-1").build()); // a read: not audited

            List<AuditCapture.Line> deletes = audit.of(HPL + "DeleteDataset");
            assertEquals(2, deletes.size(), audit.lines().toString());
            assertEquals(Map.of("audit.principal", "ci", "audit.method", HPL + "DeleteDataset",
                    "audit.dataset_id", "ds-1", "audit.outcome", "OK"), deletes.get(0).fields());
            assertEquals("principal=ci method=" + HPL + "DeleteDataset dataset_id=ds-1 outcome=OK", deletes.get(0).message());
            assertEquals("NOT_FOUND", deletes.get(1).fields().get("audit.outcome"));
            assertEquals("missing", deletes.get(1).fields().get("audit.dataset_id"));

            AuditCapture.Line model = audit.of(HPL + "DeleteModel").get(0);
            assertEquals("house", model.fields().get("audit.model_name"));
            assertEquals("0", model.fields().get("audit.version"));
            assertEquals("2", model.fields().get("audit.versions_deleted"));
            assertTrue(audit.of(HPL + "GetDataset").isEmpty(), audit.lines().toString());
        }
    }

    @Test
    void anUploadIsAuditedWithTheIdItGot() throws Exception {
        start(true);
        var async = bearer(RegressionServiceGrpc.newStub(channel), "Bearer " + ADMIN_TOKEN);
        try (AuditCapture audit = new AuditCapture()) {
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Object> result = new AtomicReference<>();
            StreamObserver<UploadDatasetRequest> upload = async.uploadDataset(new StreamObserver<>() {
                @Override
                public void onNext(DatasetInfo value) {
                    result.set(value);
                }

                @Override
                public void onError(Throwable t) {
                    result.set(t);
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            upload.onNext(UploadDatasetRequest.getDefaultInstance());
            upload.onCompleted();
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertTrue(result.get() instanceof DatasetInfo, String.valueOf(result.get()));
            AuditCapture.Line line = audit.of(HPL + "UploadDataset").get(0);
            assertEquals("ds-uploaded", line.fields().get("audit.dataset_id"));
            assertEquals("ci", line.fields().get("audit.principal"));
            assertEquals("OK", line.fields().get("audit.outcome"));
        }
    }

    @Test
    void trainingCallsAreAuditedWithTheDatasetTheModelAndTheJob() throws Exception {
        var stub = bearer(start(true), "Bearer " + ADMIN_TOKEN);
        TrainRequest train = TrainRequest.newBuilder().setDatasetId("ds-9").setModelName("house").setRequestId("r-1").build();
        try (AuditCapture audit = new AuditCapture()) {
            stub.startTraining(train);
            var events = stub.train(train);
            StatusRuntimeException cancelled = refused(() -> events.forEachRemaining(e -> { }));
            assertEquals(Status.Code.CANCELLED, cancelled.getStatus().getCode());
            stub.cancelJob(CancelJobRequest.newBuilder().setJobId("job-8").build());

            assertEquals(Map.of("audit.principal", "ci", "audit.method", HPL + "StartTraining", "audit.dataset_id", "ds-9",
                    "audit.model_name", "house", "audit.request_id", "r-1", "audit.job_id", "job-7", "audit.outcome", "OK"),
                    audit.of(HPL + "StartTraining").get(0).fields());
            AuditCapture.Line trained = audit.of(HPL + "Train").get(0);
            assertEquals("job-8", trained.fields().get("audit.job_id"));
            assertEquals("CANCELLED", trained.fields().get("audit.outcome"));
            assertEquals("job-8", audit.of(HPL + "CancelJob").get(0).fields().get("audit.job_id"));
            assertEquals(3, audit.lines().size(), audit.lines().toString());
        }
    }

    @Test
    void withAuthenticationOffEveryCallRunsAndIsAuditedAsAnonymous() throws Exception {
        var stub = start(false);
        try (AuditCapture audit = new AuditCapture()) {
            stub.deleteDataset(DeleteDatasetRequest.newBuilder().setId("ds-2").build());
            AuditCapture.Line line = audit.of(HPL + "DeleteDataset").get(0);
            assertEquals("anonymous", line.fields().get("audit.principal"));
            assertEquals("OK", line.fields().get("audit.outcome"));
        }
    }
}
