package io.hpl.server.store.objects;

import java.nio.file.Path;

/** The two backends every store test runs against: a local directory and an S3 bucket (moto, {@link MotoS3}). */
public enum StoreBackend {
    LOCAL {
        @Override
        public ObjectStore open(Path shared, Path local) {
            return new LocalObjectStore(shared);
        }
    },
    S3 {
        @Override
        public ObjectStore open(Path shared, Path local) {
            return MotoS3.get().open(shared.getFileName() + "/", local.resolve("tmp").resolve("cache"));
        }
    };

    /**
     * A store as one process sees it: {@code shared} names the store (the directory, or the bucket prefix
     * derived from its name), {@code local} is that process's own work directory. Two calls with the same
     * {@code shared} are two processes on one store.
     */
    public abstract ObjectStore open(Path shared, Path local);
}
