package io.hpl.server.store;

import io.hpl.server.errors.HplException;

/**
 * The store-wide side of {@link UploadLimits}: how many uploads are being received and how many
 * bytes the store holds. Checked before the bytes are written, so a full disk or a crowd of
 * uploads is refused RESOURCE_EXHAUSTED instead of failing half-way.
 */
final class UploadQuota {
    private final UploadLimits limits;
    private int inFlight;
    private long stored;
    private long reserved;

    UploadQuota(UploadLimits limits, long storedAtStart) {
        this.limits = limits;
        this.stored = storedAtStart;
    }

    /**
     * Takes a slot for one more upload, first counting the store's datasets afresh ({@code storedNow}):
     * replicas sharing a store see each other's datasets at each upload's start, not only their own.
     */
    synchronized void begin(long storedNow) {
        stored = storedNow;
        if (inFlight >= limits.maxInFlight()) {
            throw HplException.exhausted(inFlight + " uploads are being received, the limit (hpl.upload.max-in-flight);"
                    + " retry when one has finished");
        }
        inFlight++;
    }

    /** Reserves room for the next {@code bytes} of an upload in flight. */
    synchronized void reserve(long bytes) {
        if (stored + reserved + bytes > limits.maxStoredBytes()) {
            throw HplException.exhausted("the store holds " + stored + " bytes of datasets and " + reserved
                    + " of uploads in flight; " + bytes + " more would pass the limit of " + limits.maxStoredBytes()
                    + " bytes (hpl.upload.max-stored-bytes): delete datasets no longer needed (DeleteDataset)");
        }
        reserved += bytes;
    }

    /** An upload ended (finished or not): its slot and its reservation are given back. */
    synchronized void end(long reservedBytes) {
        inFlight--;
        reserved -= reservedBytes;
    }

    /** A new dataset of {@code bytes} was published. */
    synchronized void published(long bytes) {
        stored += bytes;
    }

    /** A dataset of {@code bytes} was deleted. */
    synchronized void deleted(long bytes) {
        stored = Math.max(0, stored - bytes);
    }

    synchronized long stored() {
        return stored;
    }
}
