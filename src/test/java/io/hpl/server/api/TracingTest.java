package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.api.v1.ListMethodsRequest;
import io.hpl.server.api.v1.RegressionService;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With tracing turned on, every gRPC call is a server span named after its method. */
@QuarkusTest
@TestProfile(TracingTest.TracingOn.class)
class TracingTest {
    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "0.01s");
        }
    }

    @GrpcClient("regression")
    RegressionService client;

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aGrpcCallIsAServerSpan() throws InterruptedException {
        spans.reset();
        client.listMethods(ListMethodsRequest.getDefaultInstance()).await().atMost(TIMEOUT);

        List<SpanData> server = List.of();
        for (int i = 0; i < 200 && server.isEmpty(); i++) { // exported by a batch processor: a bounded poll
            server = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().contains("ListMethods")).toList();
            if (server.isEmpty()) {
                Thread.sleep(50);
            }
        }
        assertEquals(1, server.size(), "server spans: " + spans.getFinishedSpanItems());
        assertTrue(server.get(0).getName().startsWith("hpl.v1.RegressionService/ListMethods"), server.get(0).getName());
        assertTrue(server.get(0).getTraceId().matches("[0-9a-f]{32}"), server.get(0).getTraceId());
    }
}
