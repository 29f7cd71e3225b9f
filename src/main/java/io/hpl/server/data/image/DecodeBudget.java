package io.hpl.server.data.image;

import io.hpl.server.errors.HplException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Pixels being decoded at once, across every upload and request of the process. Decoding holds an
 * image at full size (its pixels, then up to 3 floats a pixel), so the per-image limit alone did
 * not bound the heap: four concurrent uploads of a 160 KB 7000 x 7000 PNG exhausted it. A decode
 * waits up to {@code wait} for its pixels, then is refused with RESOURCE_EXHAUSTED naming
 * {@code hpl.images.max-pixels-in-flight}.
 */
public final class DecodeBudget {
    private final long maxPixels;
    private final Duration wait;
    private final Semaphore pixels;

    /** A budget of {@code maxPixels} (at most 2^31 - 1) pixels, each decode waiting up to {@code wait}. */
    public DecodeBudget(long maxPixels, Duration wait) {
        if (maxPixels < 1 || maxPixels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxPixels must be in 1..2^31-1: " + maxPixels);
        }
        this.maxPixels = maxPixels;
        this.wait = wait;
        this.pixels = new Semaphore((int) maxPixels, true); // fair: a large image is not starved by small ones
    }

    /** Pixels held by one decode until it is closed. */
    public interface Reservation extends AutoCloseable {
        @Override
        void close();
    }

    /** Reserves {@code count} pixels for one decode of the image {@code label}. */
    public Reservation reserve(String label, long count) {
        if (count > maxPixels) {
            throw HplException.exhausted(label + ": the image has " + count + " pixels, more than the " + maxPixels
                    + " that may be decoded at once (hpl.images.max-pixels-in-flight)");
        }
        int permits = (int) Math.max(1, count);
        boolean acquired;
        try {
            acquired = pixels.tryAcquire(permits, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HplException.exhausted(label + ": interrupted while waiting to decode");
        }
        if (!acquired) {
            throw HplException.exhausted(label + ": other requests are decoding " + maxPixels + " pixels of images, the limit"
                    + " (hpl.images.max-pixels-in-flight), and none finished within " + wait.toSeconds() + " s; retry later");
        }
        return () -> pixels.release(permits);
    }

    public long maxPixels() {
        return maxPixels;
    }
}
