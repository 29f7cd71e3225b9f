package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HyperParametersTest {
    private final List<HyperParameter<?>> declared = CommonHyperParameters.ALL;

    @Test
    void defaultsFillWhatIsNotGiven() {
        HyperParameters hp = HyperParameters.resolve(declared, Map.of("iterations", "10"));
        assertEquals(10, hp.get(CommonHyperParameters.ITERATIONS));
        assertEquals(List.of(256, 256), hp.get(CommonHyperParameters.HIDDEN_LAYERS));
        assertEquals("256,256", hp.asText().get("hidden_layers"));
        assertEquals(declared.size(), hp.asText().size());
    }

    @Test
    void unknownNamesAreRejectedWithTheAcceptedOnes() {
        HplException e = assertThrows(HplException.class,
                () -> HyperParameters.resolve(declared, Map.of("iteratons", "10")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("iteratons") && e.getMessage().contains("iterations"), e.getMessage());
    }

    @Test
    void badValuesNameTheParameterAndTheRange() {
        HplException range = assertThrows(HplException.class,
                () -> HyperParameters.resolve(declared, Map.of("dropout", "1.5")));
        assertTrue(range.getMessage().contains("dropout") && range.getMessage().contains("[0, 0.9]"), range.getMessage());
        HplException type = assertThrows(HplException.class,
                () -> HyperParameters.resolve(declared, Map.of("hidden_layers", "64,abc")));
        assertTrue(type.getMessage().contains("hidden_layers"), type.getMessage());
        assertThrows(HplException.class, () -> HyperParameters.resolve(declared, Map.of("learning_rate", "NaN")));
    }
}
