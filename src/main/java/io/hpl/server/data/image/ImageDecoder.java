package io.hpl.server.data.image;

import io.hpl.server.data.ImageInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The one way an image becomes a model input, for uploads and for Predict alike: a PNG or JPEG is
 * decoded, converted to the declared channels ({@link ColourConversion}), checked against (or,
 * with {@code resize}, resized to: {@link BilinearResize}) the declared height × width, and
 * returned as CHW floats in [0, 1]; a client's ready-made tensor is checked against the same
 * shape and range. Errors name the image by the label the caller passes, e.g.
 * "file 'a.png' (labels.csv line 3)" or "image 2". Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {
    private final ImageInput input;
    private final boolean resize;
    private final ImageLimits limits;

    public ImageDecoder(ImageInput input, boolean resize, ImageLimits limits) {
        this.input = input;
        this.resize = resize;
        this.limits = limits;
    }

    public ImageInput input() {
        return input;
    }

    /** Decodes a PNG or JPEG file to {@link ImageInput#values()} floats. */
    public float[] decode(String label, byte[] encoded) {
        ImageFormat format = ImageFormat.detect(encoded).orElseThrow(() -> HplException.invalid(label
                + ": not a PNG or JPEG image (its first bytes match neither signature)"));
        return read(label, format, encoded);
    }

    /**
     * Checks a client's preprocessed image: {@link ImageInput#values()} finite floats in [0, 1],
     * CHW; returned as it is.
     */
    public float[] checkTensor(String label, float[] values) {
        if (values.length != input.values()) {
            throw HplException.invalid(label + ": the tensor has " + values.length + " values; the model takes " + input
                    + " (channels x height x width) = " + input.values() + " values in CHW order");
        }
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0f && values[i] <= 1f)) { // also catches NaN
                throw HplException.invalid(label + ": value " + i + " is " + values[i]
                        + "; tensor values must be finite and in [0, 1] (pixel / 255)");
            }
        }
        return values;
    }

    /** Decodes, converts and resizes, holding the image's pixels in the decode budget meanwhile. */
    private float[] read(String label, ImageFormat format, byte[] encoded) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new HplException(ErrorKind.INTERNAL, "no ImageIO reader for " + format);
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        // A memory-backed stream: ImageIO.createImageInputStream may cache to temporary files.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            int height = reader.getHeight(0);
            int width = reader.getWidth(0);
            checkSize(label, height, width); // from the header, before any pixel is decoded
            try (DecodeBudget.Reservation pixels = limits.decodeBudget().reserve(label, (long) height * width)) {
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    // The JPEG decoder reports a truncated file as a warning and returns grey for the rest.
                    throw undecodable(label, format, warnings.get(0), null);
                }
                float[] chw = ColourConversion.toChannels(image, input.channels());
                return BilinearResize.resize(chw, input.channels(), height, width, input.height(), input.width());
            }
        } catch (HplException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // RuntimeException too: ImageIO's decoders throw unchecked exceptions on some corrupt data.
            throw undecodable(label, format, e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private void checkSize(String label, int height, int width) {
        if ((long) height * width > limits.maxSourcePixels()) {
            throw HplException.exhausted(label + ": the image is " + height + "x" + width + " (height x width), over the limit of "
                    + limits.maxSourcePixels() + " pixels per image (hpl.images.max-source-pixels)");
        }
        if (!resize && (height != input.height() || width != input.width())) {
            throw HplException.invalid(label + ": the image is " + height + "x" + width + " (height x width) but "
                    + input.height() + "x" + input.width() + " is declared; resize the image or ask the server to (resize)");
        }
    }

    private static HplException undecodable(String label, ImageFormat format, String reason, Throwable cause) {
        return new HplException(ErrorKind.INVALID_ARGUMENT, label + ": cannot decode the " + format + " image: " + reason, cause);
    }
}
