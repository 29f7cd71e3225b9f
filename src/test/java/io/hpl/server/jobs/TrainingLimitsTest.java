package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingLimitsTest {
    private static final DatasetSchema TEN_INPUTS = new DatasetSchema("y",
            List.of(Column.numeric("a"), Column.categorical("c", List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"))),
            List.of());

    private static HyperParameters supervised(Map<String, String> given) {
        return HyperParameters.resolve(MethodRegistry.standard().get(MethodName.SUPERVISED).hyperParameters(), given);
    }

    private static void refused(Map<String, String> given, String... fragments) {
        HplException e = assertThrows(HplException.class, () -> TrainingLimits.DEFAULTS.check(TEN_INPUTS, supervised(given)));
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, e.kind(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void theDefaultsPass() {
        assertDoesNotThrow(() -> TrainingLimits.DEFAULTS.check(TEN_INPUTS, supervised(Map.of())));
        assertDoesNotThrow(() -> TrainingLimits.DEFAULTS.check(TEN_INPUTS,
                supervised(Map.of("tabular_backbone", "packed_ensemble", "hidden_layers", "512,512"))));
    }

    @Test
    void countsDenseWeightsWithBiasesAndTheTwoOutputHead() {
        assertEquals((10 + 1) * 4 + (4 + 1) * 3 + (3 + 1) * 2,
                TrainingLimits.tabularParameters(TEN_INPUTS, supervised(Map.of("hidden_layers", "4,3"))));
        assertEquals(8L * ((10 * 16 + 1) * 4 + (4 + 1) * 2), TrainingLimits.tabularParameters(TEN_INPUTS,
                supervised(Map.of("hidden_layers", "4", "tabular_backbone", "packed_ensemble"))));
    }

    @Test
    void aHugeNetworkIsRefusedNamingTheSetting() {
        refused(Map.of("hidden_layers", "8192,8192,8192"), "hidden_layers=8192,8192,8192", "hpl.training.max-parameters");
        refused(Map.of("hidden_layers", "2048,2048", "tabular_backbone", "packed_ensemble", "ensemble_size", "32"),
                "hpl.training.max-parameters");
    }

    @Test
    void tooManyIterationsTimesBatchAreRefusedNamingTheSetting() {
        refused(Map.of("iterations", "1000000", "batch_size", "65536"), "1000000 × 65536",
                "hpl.training.max-iterations-times-batch");
        assertDoesNotThrow(() -> TrainingLimits.DEFAULTS.check(TEN_INPUTS,
                supervised(Map.of("iterations", "1000000", "batch_size", "128"))));
    }
}
