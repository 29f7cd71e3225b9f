package io.hpl.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** Which gRPC method each OIP REST route is checked as; a path that is no route is in no row (admin). */
class OipRestAuthTest {
    private static final String OIP = "inference.GRPCInferenceService/";

    @Test
    void eachRouteIsCheckedAsItsGrpcTwin() {
        assertEquals(OIP + "ServerMetadata", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2"));
        assertEquals(OIP + "ServerMetadata", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/"));
        assertEquals(OIP + "ServerLive", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/health/live"));
        assertEquals(OIP + "ServerReady", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/health/ready"));
        assertEquals(OIP + "ModelMetadata", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/house"));
        assertEquals(OIP + "ModelMetadata", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/house/versions/2"));
        assertEquals(OIP + "ModelReady", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/house/ready"));
        assertEquals(OIP + "ModelReady", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/house/versions/2/ready"));
        assertEquals(OIP + "ModelInfer", OipRestAuth.grpcTwin(HttpMethod.POST, "/v2/models/house/infer"));
        assertEquals(OIP + "ModelInfer", OipRestAuth.grpcTwin(HttpMethod.POST, "/v2/models/house/versions/2/infer"));
        assertEquals(OIP + "ModelReady", OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/versions/ready"));
    }

    @Test
    void anythingElseNeedsAdmin() {
        for (String twin : new String[] {
                OipRestAuth.grpcTwin(HttpMethod.DELETE, "/v2/models/house"),
                OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/house/infer"),
                OipRestAuth.grpcTwin(HttpMethod.POST, "/v2/health/live"),
                OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/repository/index"),
                OipRestAuth.grpcTwin(HttpMethod.GET, "/v2/models/house/versions")}) {
            assertFalse(MethodRoles.declares(twin), twin);
            assertEquals(MethodRoles.Access.ADMIN, MethodRoles.of(twin), twin);
        }
    }
}
