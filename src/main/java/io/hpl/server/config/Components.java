package io.hpl.server.config;

import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.DecodeBudget;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.serving.OrtSessionFactory;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.JobStore;
import io.hpl.server.store.ModelStore;
import io.hpl.server.store.UploadLimits;
import io.hpl.server.store.objects.LocalObjectStore;
import io.hpl.server.store.objects.ObjectStore;
import io.hpl.server.store.objects.S3ObjectStore;
import io.hpl.server.training.MethodRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Locale;

/** Builds the plain-Java components from configuration, so they stay free of CDI and testable alone. */
public class Components {

    /** The one object store every store of this process writes to: the local directory or an S3 bucket. */
    @Produces
    @Singleton
    ObjectStore objectStore(ServerConfig config) {
        ServerConfig.Store store = config.store();
        Path root = Path.of(store.dir());
        return switch (store.backend()) {
            case "local" -> new LocalObjectStore(root);
            case "s3" -> {
                ServerConfig.StoreS3 s3 = store.s3();
                String bucket = s3.bucket().filter(b -> !b.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                        "hpl.store.s3.bucket (HPL_STORE_S3_BUCKET) is required with hpl.store.backend=s3"));
                yield new S3ObjectStore(new S3ObjectStore.Settings(bucket, s3.prefix().orElse(""), s3.endpoint(), s3.region(), s3.pathStyle()),
                        root.resolve("tmp").resolve("cache"), s3.cacheMaxBytes());
            }
            default -> throw new IllegalArgumentException("hpl.store.backend must be 'local' or 's3', not '" + store.backend() + "'");
        };
    }

    /** Closes the S3 client's connections at shutdown (the local store holds none). */
    void closeObjectStore(@Disposes ObjectStore objects) {
        if (objects instanceof S3ObjectStore s3) {
            s3.close();
        }
    }

    @Produces
    @Singleton
    DatasetStore datasetStore(ServerConfig config, ObjectStore objects, ImageLimits imageLimits, TableLimits tableLimits) {
        ServerConfig.Upload upload = config.upload();
        return new DatasetStore(objects, Path.of(config.store().dir()),
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
    ModelStore modelStore(ServerConfig config, ObjectStore objects) {
        return new ModelStore(objects, config.store().refreshInterval());
    }

    @Produces
    @Singleton
    JobStore jobStore(ObjectStore objects) {
        return new JobStore(objects);
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
