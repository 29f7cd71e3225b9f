package io.hpl.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The gRPC server with a certificate (quarkus.grpc.server.ssl.*, the way the separate grpc-java
 * server takes one; deploy/components/security sets the same keys): a client that trusts the
 * certificate gets an answer over TLS, a cleartext client is refused, and so is a TLS client that
 * does not trust it. The port is the configured gRPC test port, not a number written here.
 */
@QuarkusTest
@TestProfile(TlsTest.WithCertificate.class)
class TlsTest {
    static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.create();

    public static class WithCertificate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // PEM files, as deploy/components/security mounts them from the Secret hpl-server-tls
            return Map.of("quarkus.grpc.server.ssl.certificate", CERTIFICATE.certificatePem().toString(),
                    "quarkus.grpc.server.ssl.key", CERTIFICATE.privateKeyPem().toString(),
                    // the injected test client must not try cleartext against a TLS-only server
                    "quarkus.grpc.clients.regression.plain-text", "false");
        }
    }

    private static int grpcPort() {
        return ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
    }

    private static Status.Code healthCheck(UnaryOperator<NettyChannelBuilder> transport) throws Exception {
        ManagedChannel channel = transport.apply(NettyChannelBuilder.forAddress("localhost", grpcPort())).build();
        try {
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatTrustsTheCertificateIsAnsweredOverTls() throws Exception {
        var trusting = GrpcSslContexts.forClient().trustManager(CERTIFICATE.certificatePem().toFile()).build();
        assertEquals(Status.Code.OK, healthCheck(b -> b.sslContext(trusting)));
    }

    @Test
    void aCleartextClientIsRefused() throws Exception {
        assertEquals(Status.Code.UNAVAILABLE, healthCheck(NettyChannelBuilder::usePlaintext));
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        var systemTrust = GrpcSslContexts.forClient().build();
        assertEquals(Status.Code.UNAVAILABLE, healthCheck(b -> b.sslContext(systemTrust)));
    }
}
