package io.hpl.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.jobs.TrainingLimits;
import io.hpl.server.store.UploadLimits;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

/**
 * The limits' plain-Java defaults (what components built without configuration use: tests, tools)
 * are the configuration's defaults: the setting's @WithDefault is the one place a default is decided,
 * and this test fails the build when the two drift apart.
 */
class DefaultsAgreeTest {
    private static String configDefault(Class<?> group, String method) throws NoSuchMethodException {
        return group.getMethod(method).getAnnotation(WithDefault.class).value();
    }

    @Test
    void uploadLimits() throws NoSuchMethodException {
        assertEquals(configDefault(ServerConfig.Upload.class, "maxBytes"), String.valueOf(UploadLimits.DEFAULTS.maxBytes()));
        assertEquals(configDefault(ServerConfig.Upload.class, "maxInFlight"), String.valueOf(UploadLimits.DEFAULTS.maxInFlight()));
        assertEquals(configDefault(ServerConfig.Upload.class, "maxStoredBytes"),
                String.valueOf(UploadLimits.DEFAULTS.maxStoredBytes()));
    }

    @Test
    void imageLimits() throws NoSuchMethodException {
        assertEquals(configDefault(ServerConfig.Images.class, "maxImages"), String.valueOf(ImageLimits.DEFAULTS.maxImages()));
        assertEquals(configDefault(ServerConfig.Images.class, "maxValues"), String.valueOf(ImageLimits.DEFAULTS.maxValues()));
        assertEquals(configDefault(ServerConfig.Images.class, "maxSourcePixels"),
                String.valueOf(ImageLimits.DEFAULTS.maxSourcePixels()));
        assertEquals(configDefault(ServerConfig.Images.class, "maxFileBytes"), String.valueOf(ImageLimits.DEFAULTS.maxFileBytes()));
        assertEquals(configDefault(ServerConfig.Images.class, "maxPixelsInFlight"),
                String.valueOf(ImageLimits.DEFAULT_PIXELS_IN_FLIGHT));
    }

    @Test
    void tableAndTrainingLimits() throws NoSuchMethodException {
        assertEquals(configDefault(ServerConfig.Tables.class, "maxCellChars"), String.valueOf(TableLimits.DEFAULTS.maxCellChars()));
        assertEquals(configDefault(ServerConfig.Tables.class, "maxCategoriesPerColumn"),
                String.valueOf(TableLimits.DEFAULTS.maxCategoriesPerColumn()));
        assertEquals(configDefault(ServerConfig.Training.class, "maxParameters"),
                String.valueOf(TrainingLimits.DEFAULTS.maxParameters()));
        assertEquals(configDefault(ServerConfig.Training.class, "maxIterationsTimesBatch"),
                String.valueOf(TrainingLimits.DEFAULTS.maxIterationsTimesBatch()));
    }
}
