package io.hpl.server.store;

/**
 * The store's limits on uploads: bytes per upload, uploads received at once, and bytes of datasets
 * the store holds (the uploaded files, uploads in flight included).
 */
public record UploadLimits(long maxBytes, int maxInFlight, long maxStoredBytes) {
    /** 1 GiB an upload, 4 at once, 64 GiB stored: the configuration's defaults. */
    public static final UploadLimits DEFAULTS = new UploadLimits(1L << 30, 4, 64L << 30);

    public UploadLimits {
        if (maxBytes <= 0 || maxInFlight <= 0 || maxStoredBytes <= 0) {
            throw new IllegalArgumentException("upload limits must be positive: " + maxBytes + ", " + maxInFlight + ", "
                    + maxStoredBytes);
        }
    }
}
