package io.hpl.server.auth;

import java.util.Map;
import java.util.Optional;

/**
 * The one table of who may call what, keyed by full gRPC method name ({@code service/Method}).
 * A method that is not listed needs {@link Role#ADMIN}: a service merged later is closed to readers
 * until someone lists it here. The OIP REST routes ({@code /v2/...}) are checked against the rows of
 * their gRPC twins ({@link OipRestAuth}).
 * {@code MethodRolesTest} enumerates every method the server registers and fails on one missing
 * from this table, so the next person to add an RPC is told to give it a role.
 */
public final class MethodRoles {
    /** What a method needs: nothing (health, for probes), or a role. */
    public enum Access {
        OPEN, READER, ADMIN;

        /** The role needed, or empty for an open method. */
        public Optional<Role> role() {
            return switch (this) {
                case OPEN -> Optional.empty();
                case READER -> Optional.of(Role.READER);
                case ADMIN -> Optional.of(Role.ADMIN);
            };
        }
    }

    private static final String HPL = "hpl.v1.RegressionService/";
    private static final String OIP = "inference.GRPCInferenceService/";

    private static final Map<String, Access> TABLE = Map.ofEntries(
            // Probes (Kubernetes gRPC probes, load balancers) carry no token.
            Map.entry("grpc.health.v1.Health/Check", Access.OPEN),
            Map.entry("grpc.health.v1.Health/Watch", Access.OPEN),
            Map.entry("grpc.health.v1.Health/List", Access.OPEN),
            // Reflection describes the API, not data: any valid key may read it.
            Map.entry("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Access.READER),
            Map.entry("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Access.READER),
            // Open Inference Protocol v2 (KServe): liveness and readiness are probes; the rest reads models.
            Map.entry(OIP + "ServerLive", Access.OPEN),
            Map.entry(OIP + "ServerReady", Access.OPEN),
            Map.entry(OIP + "ServerMetadata", Access.READER),
            Map.entry(OIP + "ModelReady", Access.READER),
            Map.entry(OIP + "ModelMetadata", Access.READER),
            Map.entry(OIP + "ModelInfer", Access.READER),
            Map.entry(HPL + "GetDataset", Access.READER),
            Map.entry(HPL + "ListDatasets", Access.READER),
            Map.entry(HPL + "ListMethods", Access.READER),
            Map.entry(HPL + "GetJob", Access.READER),
            Map.entry(HPL + "ListJobs", Access.READER),
            Map.entry(HPL + "WatchJob", Access.READER),
            Map.entry(HPL + "Predict", Access.READER),
            Map.entry(HPL + "PredictStream", Access.READER), // Predict, many requests on one stream
            Map.entry(HPL + "Evaluate", Access.READER),
            Map.entry(HPL + "PredictDataset", Access.READER), // Predict over a stored dataset: reads only
            Map.entry(HPL + "ListModels", Access.READER),
            Map.entry(HPL + "GetModel", Access.READER),
            // Reading a model's ONNX file is reading the model: a reader can already Predict with it at will.
            Map.entry(HPL + "DownloadModel", Access.READER),
            Map.entry(HPL + "UploadDataset", Access.ADMIN),
            Map.entry(HPL + "DeleteDataset", Access.ADMIN),
            Map.entry(HPL + "Train", Access.ADMIN),
            Map.entry(HPL + "StartTraining", Access.ADMIN),
            Map.entry(HPL + "CancelJob", Access.ADMIN),
            Map.entry(HPL + "DeleteModel", Access.ADMIN),
            // Moving an alias changes what every Predict on "name@alias" serves: a rollout, so admin.
            Map.entry(HPL + "SetAlias", Access.ADMIN),
            Map.entry(HPL + "DeleteAlias", Access.ADMIN));

    private MethodRoles() {
    }

    /** What the method needs; ADMIN when it is not in the table. */
    public static Access of(String fullMethodName) {
        return TABLE.getOrDefault(fullMethodName, Access.ADMIN);
    }

    /** Whether the table names the method (a method it does not name falls back to ADMIN). */
    public static boolean declares(String fullMethodName) {
        return TABLE.containsKey(fullMethodName);
    }
}
