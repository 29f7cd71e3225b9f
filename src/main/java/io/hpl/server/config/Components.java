package io.hpl.server.config;

import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.DecodeBudget;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelStore;
import io.hpl.server.store.UploadLimits;
import io.hpl.server.training.MethodRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Locale;

/** Builds the plain-Java components from configuration, so they stay free of CDI and testable alone. */
public class Components {

    @Produces
    @Singleton
    DatasetStore datasetStore(ServerConfig config, ImageLimits imageLimits, TableLimits tableLimits) {
        ServerConfig.Upload upload = config.upload();
        return new DatasetStore(Path.of(config.store().dir()),
                new UploadLimits(upload.maxBytes(), upload.maxInFlight(), upload.maxStoredBytes()), imageLimits, tableLimits);
    }

    @Produces
    @Singleton
    TableLimits tableLimits(ServerConfig config) {
        return new TableLimits(config.tables().maxCellChars(), config.tables().maxCategoriesPerColumn());
    }

    @Produces
    @Singleton
    ImageLimits imageLimits(ServerConfig config) {
        ServerConfig.Images images = config.images();
        return new ImageLimits(images.maxImages(), images.maxValues(), images.maxSourcePixels(), images.maxFileBytes(),
                new DecodeBudget(images.maxPixelsInFlight(), ImageLimits.DECODE_WAIT));
    }

    @Produces
    @Singleton
    ModelStore modelStore(ServerConfig config) {
        return new ModelStore(Path.of(config.store().dir()));
    }

    @Produces
    @Singleton
    JobStore jobStore(ServerConfig config) {
        return new JobStore(Path.of(config.store().dir()));
    }

    @Produces
    @Singleton
    MethodRegistry methodRegistry() {
        return MethodRegistry.standard();
    }

    @Produces
    @Singleton
    OrtSessionFactory ortSessionFactory(ServerConfig config) {
        return new OrtSessionFactory(OrtSessionFactory.Device.valueOf(config.serving().device().toUpperCase(Locale.ROOT)));
    }
}
