package io.hpl.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.training.views.PhotometricOp;
import io.hpl.server.training.method.SemiSupervisedHyperParameters;
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

    @Test
    void enumListsParseCaseInsensitivelyAndRefuseUnknownOrRepeatedChoices() {
        HyperParameters hp = HyperParameters.resolve(declared, Map.of("strong_ops", "Solarize, brightness"));
        assertEquals(List.of(PhotometricOp.SOLARIZE, PhotometricOp.BRIGHTNESS), hp.get(ImageHyperParameters.STRONG_OPS));
        assertEquals("solarize,brightness", hp.asText().get("strong_ops"));
        HplException unknown = assertThrows(HplException.class,
                () -> HyperParameters.resolve(declared, Map.of("strong_ops", "brightness,rotate")));
        assertTrue(unknown.getMessage().contains("'rotate'") && unknown.getMessage().contains("solarize"), unknown.getMessage());
        HplException twice = assertThrows(HplException.class,
                () -> HyperParameters.resolve(declared, Map.of("strong_ops", "contrast,contrast")));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
    }

    @Test
    void settingsOfTheOtherKindOfDatasetAreRefusedByName() {
        List<HyperParameter<?>> declared = SemiSupervisedHyperParameters.HPL; // HPL's own and every common one, as declared
        DatasetSchema image = DatasetSchema.images("angle", new ImageInput(1, 28, 28));
        DatasetSchema table = new DatasetSchema("y", List.of(Column.numeric("a")), List.of());
        HplException onImages = assertThrows(HplException.class,
                () -> HyperParameterScope.check(image, declared, List.of("iterations", "hidden_layers", "strong_noise")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, onImages.kind());
        assertTrue(onImages.getMessage().contains("[hidden_layers, strong_noise]")
                && onImages.getMessage().contains("image dataset (1x28x28)"), onImages.getMessage());
        HplException onTables = assertThrows(HplException.class,
                () -> HyperParameterScope.check(table, declared, List.of("backbone", "learning_rate")));
        assertTrue(onTables.getMessage().contains("[backbone]") && onTables.getMessage().contains("image datasets only"),
                onTables.getMessage());
        HyperParameterScope.check(image, declared, List.of("backbone", "flip", "iterations", "unlabelled_weight"));
        HyperParameterScope.check(table, declared, List.of("hidden_layers", "swap_probability"));
    }

    @Test
    void tabularBackboneSettingsAreRefusedOnImagesAndWithThePlainMlp() {
        DatasetSchema image = DatasetSchema.images("angle", new ImageInput(1, 28, 28));
        HplException onImages = assertThrows(HplException.class, () -> HyperParameterScope.check(image, declared,
                List.of("tabular_backbone", "ensemble_size", "embedding_bins", "early_stopping_patience", "iterations")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, onImages.kind());
        assertTrue(onImages.getMessage().contains(
                "[early_stopping_patience, embedding_bins, ensemble_size, tabular_backbone]"), onImages.getMessage());

        Map<String, String> mlp = Map.of("ensemble_size", "4", "early_stopping_patience", "5");
        HplException withMlp = assertThrows(HplException.class, () -> HyperParameterScope.checkTabularBackbone(
                HyperParameters.resolve(declared, mlp), mlp.keySet()));
        assertEquals(ErrorKind.INVALID_ARGUMENT, withMlp.kind());
        assertTrue(withMlp.getMessage().contains("[ensemble_size]") && withMlp.getMessage().contains("packed_ensemble"),
                withMlp.getMessage());
        Map<String, String> packed = Map.of("tabular_backbone", "packed_ensemble", "ensemble_size", "4",
                "embedding_bins", "0");
        HyperParameterScope.checkTabularBackbone(HyperParameters.resolve(declared, packed), packed.keySet());
        assertEquals(TabularHyperParameters.Backbone.MLP,
                HyperParameters.resolve(declared, Map.of()).get(TabularHyperParameters.TABULAR_BACKBONE));
    }
}
