package io.hpl.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The gRPC server with a certificate (quarkus.grpc.server.ssl.*, the way the separate grpc-java
 * server takes one; deploy/components/security sets the same keys): a client that trusts the
 * certificate gets an answer over TLS, a cleartext client is refused, and so is a TLS client that
 * does not trust it. HTTP takes the same certificate from the TLS registry (quarkus.tls.*) and,
 * with insecure requests disabled, serves health over HTTPS only. Ports are read from the
 * configuration, not written here.
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
                    // HTTP through the TLS registry's default configuration; no cleartext port
                    "quarkus.tls.key-store.pem.0.cert", CERTIFICATE.certificatePem().toString(),
                    "quarkus.tls.key-store.pem.0.key", CERTIFICATE.privateKeyPem().toString(),
                    "quarkus.http.insecure-requests", "disabled",
                    "quarkus.http.test-ssl-port", "0",
                    // the injected test client must not try cleartext against a TLS-only server
                    "quarkus.grpc.clients.regression.plain-text", "false");
        }
    }

    @TestHTTPResource(value = "/q/health/live", tls = true)
    URL httpsHealth;

    @Test
    void httpServesHealthOverTlsFromTheRegistryAndHasNoCleartextPort() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(CERTIFICATE.certificatePem())) {
            trust.setCertificateEntry("hpl", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> live = client.send(HttpRequest.newBuilder(httpsHealth.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), live.body());
        assertEquals("https", httpsHealth.getProtocol());

        int cleartextPort = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        URI cleartext = URI.create("http://localhost:" + cleartextPort + "/q/health/live");
        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(cleartext).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()),
                "nothing should listen for cleartext HTTP on " + cleartextPort);
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
