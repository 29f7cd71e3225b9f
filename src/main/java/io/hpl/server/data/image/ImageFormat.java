package io.hpl.server.data.image;

import java.util.Optional;

/**
 * The encodings the server decodes, told apart by their signature bytes rather than by file
 * names, which clients get wrong. ImageIO reads more (GIF, BMP, TIFF), but the API promises PNG
 * and JPEG only, so that is all it accepts.
 */
enum ImageFormat {
    PNG("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}),
    JPEG("jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});

    private final String imageIoName;
    private final byte[] signature;

    ImageFormat(String imageIoName, byte[] signature) {
        this.imageIoName = imageIoName;
        this.signature = signature;
    }

    /** The format name ImageIO knows the reader by. */
    String imageIoName() {
        return imageIoName;
    }

    static Optional<ImageFormat> detect(byte[] bytes) {
        for (ImageFormat format : values()) {
            if (startsWith(bytes, format.signature)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
