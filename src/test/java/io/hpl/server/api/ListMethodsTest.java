package io.hpl.server.api;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.hpl.server.api.v1.DataFormat;
import io.hpl.server.api.v1.HyperParameterSpec;
import io.hpl.server.api.v1.ListMethodsRequest;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.MethodInfo;
import io.hpl.server.api.v1.RegressionService;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** ListMethods shows, per dataset format, only the methods and hyperparameters that apply to it. */
@QuarkusTest
class ListMethodsTest {
    @GrpcClient("regression")
    RegressionService client;

    private List<MethodInfo> list(ListMethodsRequest request) {
        return client.listMethods(request).await().atMost(TIMEOUT).getMethodsList();
    }

    private static Set<String> names(MethodInfo method) {
        return method.getHyperparametersList().stream().map(HyperParameterSpec::getName).collect(Collectors.toSet());
    }

    private static MethodInfo method(List<MethodInfo> methods, Method name) {
        return methods.stream().filter(m -> m.getMethod() == name).findFirst().orElseThrow(() -> new AssertionError(name + " not listed"));
    }

    @Test
    void withoutAFormatEveryHyperparameterSaysWhatItAppliesTo() {
        List<MethodInfo> all = list(ListMethodsRequest.getDefaultInstance());
        MethodInfo hpl = method(all, Method.HPL);
        assertTrue(names(hpl).containsAll(Set.of("hidden_layers", "backbone", "iterations")), names(hpl).toString());
        for (HyperParameterSpec p : hpl.getHyperparametersList()) {
            String expected = switch (p.getName()) {
                case "hidden_layers", "tabular_backbone", "weak_noise", "strong_noise" -> "tables";
                case "backbone", "flip", "cutout" -> "images";
                case "iterations", "learning_rate", "calibration_fraction" -> "tables and images";
                default -> p.getAppliesTo();
            };
            assertEquals(expected, p.getAppliesTo(), p.getName());
        }
        method(all, Method.GBDT);
    }

    @Test
    void forImagesOnlyImageMethodsAndImageHyperparameters() {
        List<MethodInfo> images = list(ListMethodsRequest.newBuilder().setDatasetFormat(DataFormat.DATA_FORMAT_IMAGE_ARCHIVE).build());
        Set<Method> listed = images.stream().map(MethodInfo::getMethod).collect(Collectors.toSet());
        assertFalse(listed.contains(Method.GBDT) || listed.contains(Method.AUTO), "trees and AUTO train on tables: " + listed);
        Set<String> hpl = names(method(images, Method.HPL));
        assertTrue(hpl.containsAll(Set.of("backbone", "flip", "iterations")), hpl.toString());
        assertFalse(hpl.contains("hidden_layers") || hpl.contains("tabular_backbone") || hpl.contains("strong_noise"), hpl.toString());
        images.forEach(m -> m.getHyperparametersList().forEach(p -> assertFalse(p.getAppliesTo().equals("tables"), p.getName())));
    }

    @Test
    void forTablesNoImageHyperparameters() {
        List<MethodInfo> tables = list(ListMethodsRequest.newBuilder().setDatasetFormat(DataFormat.DATA_FORMAT_CSV).build());
        method(tables, Method.AUTO);
        Set<String> hpl = names(method(tables, Method.HPL));
        assertTrue(hpl.containsAll(Set.of("hidden_layers", "tabular_backbone", "iterations")), hpl.toString());
        assertFalse(hpl.contains("backbone") || hpl.contains("flip") || hpl.contains("cutout"), hpl.toString());
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheField() {
        ApiTestSupport.assertStatus(Status.Code.INVALID_ARGUMENT,
                () -> list(ListMethodsRequest.newBuilder().setDatasetFormatValue(42).build()), "dataset_format", "42");
    }
}
