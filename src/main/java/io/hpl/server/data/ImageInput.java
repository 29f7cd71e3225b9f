package io.hpl.server.data;

/**
 * The declared shape of an image dataset: every image is decoded to {@code channels} (1 grey,
 * 3 RGB) × {@code height} × {@code width} floats in [0, 1], channel-major (CHW), and a model
 * trained on it takes exactly that.
 */
public record ImageInput(int channels, int height, int width) {
    public static final int MAX_SIDE = 1024;

    public ImageInput {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new IllegalArgumentException("image size must be between 1x1 and " + MAX_SIDE + "x" + MAX_SIDE
                    + ", got " + height + "x" + width);
        }
    }

    /** Values per image: channels · height · width. */
    public int values() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
