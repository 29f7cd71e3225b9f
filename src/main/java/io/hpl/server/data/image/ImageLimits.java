package io.hpl.server.data.image;

/**
 * Memory guards for image data, checked before the work they bound: an archive or request past
 * one of them is refused with RESOURCE_EXHAUSTED instead of filling the heap.
 *
 * @param maxImages       images in one dataset
 * @param maxValues       decoded floats in one dataset or one request (images × channels × height × width)
 * @param maxSourcePixels pixels of one image as stored (width × height), read from its header before decoding:
 *                        a small PNG can declare a huge canvas
 * @param maxFileBytes    bytes of one archive member once decompressed: a small zip can inflate to gigabytes
 * @param decodeBudget    pixels decoded at once across the process, shared by everyone holding these limits
 */
public record ImageLimits(int maxImages, long maxValues, long maxSourcePixels, long maxFileBytes, DecodeBudget decodeBudget) {
    /** Default of hpl.images.max-pixels-in-flight: two images at the per-image maximum. */
    public static final long DEFAULT_PIXELS_IN_FLIGHT = 1L << 25;
    /** How long a decode waits for pixels in flight before it is refused. */
    public static final java.time.Duration DECODE_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * 200,000 images, 2^28 floats (1 GiB), 16 megapixels (4096 x 4096), 64 MiB per member. Decoding
     * holds an image at full size, as pixels and then as floats (up to 16 bytes a pixel for RGB):
     * 16 megapixels is about 270 MB; the former 50 megapixels let four concurrent 160 KB uploads of
     * a 7000 x 7000 PNG exhaust the heap.
     */
    public static final ImageLimits DEFAULTS = new ImageLimits(200_000, 1L << 28, 1L << 24, 64L << 20);

    /** Limits with a budget of their own of {@link #DEFAULT_PIXELS_IN_FLIGHT} pixels. */
    public ImageLimits(int maxImages, long maxValues, long maxSourcePixels, long maxFileBytes) {
        this(maxImages, maxValues, maxSourcePixels, maxFileBytes, new DecodeBudget(DEFAULT_PIXELS_IN_FLIGHT, DECODE_WAIT));
    }

    public ImageLimits {
        if (maxImages < 1 || maxValues < 1 || maxSourcePixels < 1 || maxFileBytes < 1) {
            throw new IllegalArgumentException("image limits must be positive: " + maxImages + ", " + maxValues + ", "
                    + maxSourcePixels + ", " + maxFileBytes);
        }
    }
}
