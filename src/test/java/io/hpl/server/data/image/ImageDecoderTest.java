package io.hpl.server.data.image;

import static io.hpl.server.data.image.TestImages.grey;
import static io.hpl.server.data.image.TestImages.jpeg;
import static io.hpl.server.data.image.TestImages.png;
import static io.hpl.server.data.image.TestImages.rgb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.ImageInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ImageDecoderTest {
    private static ImageDecoder decoder(int channels, int height, int width, boolean resize) {
        return new ImageDecoder(new ImageInput(channels, height, width), resize, ImageLimits.DEFAULTS);
    }

    private static HplException fails(ErrorKind kind, Executable call, String... words) {
        HplException e = assertThrows(HplException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should mention '" + w + "'");
        }
        return e;
    }

    @Test
    void greyPngIsExact() {
        float[] x = decoder(1, 5, 7, false).decode("a.png", png(grey(5, 7, 3)));
        assertEquals(35, x.length);
        for (int y = 0; y < 5; y++) {
            for (int c = 0; c < 7; c++) {
                assertEquals(TestImages.greyValue(y, c, 3) / 255f, x[y * 7 + c], 0f, "pixel " + y + "," + c);
            }
        }
    }

    @Test
    void rgbPngIsExactInChwOrder() {
        float[] x = decoder(3, 4, 6, false).decode("a.png", png(rgb(4, 6, 7)));
        int plane = 24;
        for (int y = 0; y < 4; y++) {
            for (int c = 0; c < 6; c++) {
                int[] v = TestImages.rgbValue(y, c, 7);
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(v[ch] / 255f, x[ch * plane + y * 6 + c], 0f, "channel " + ch + " pixel " + y + "," + c);
                }
            }
        }
    }

    @Test
    void rgbBecomesGreyByLuminance() {
        float[] x = decoder(1, 2, 2, false).decode("a.png", png(TestImages.solid(2, 2, 200, 100, 50)));
        float expected = (float) ((0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255);
        for (float v : x) {
            assertEquals(expected, v, 1e-6f);
        }
    }

    @Test
    void greyBecomesRgbByRepetition() {
        float[] x = decoder(3, 3, 3, false).decode("a.png", png(grey(3, 3, 40)));
        float[] r = Arrays.copyOfRange(x, 0, 9);
        assertArrayEquals(r, Arrays.copyOfRange(x, 9, 18));
        assertArrayEquals(r, Arrays.copyOfRange(x, 18, 27));
        assertEquals(40 / 255f, r[0], 0f);
    }

    @Test
    void jpegIsClose() {
        BufferedImage smooth = TestImages.solid(16, 16, 120, 60, 200);
        float[] x = decoder(3, 16, 16, false).decode("a.jpg", jpeg(smooth));
        float[] expected = {120 / 255f, 60 / 255f, 200 / 255f};
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < 256; i++) {
                assertEquals(expected[ch], x[ch * 256 + i], 6 / 255f, "channel " + ch);
            }
        }
    }

    @Test
    void resizeIsBilinearWithHalfPixelCentres() {
        BufferedImage twoPixels = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        twoPixels.getRaster().setSample(0, 0, 0, 0);
        twoPixels.getRaster().setSample(1, 0, 0, 255);
        float[] x = decoder(1, 1, 4, true).decode("a.png", png(twoPixels));
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, x, 1e-6f);

        float[] down = decoder(3, 2, 2, true).decode("b.png", png(TestImages.solid(8, 6, 255, 0, 51)));
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 0.2f, 0.2f, 0.2f, 0.2f}, down, 1e-6f);
    }

    @Test
    void sizeMismatchWithoutResizeNamesBothSizes() {
        fails(ErrorKind.INVALID_ARGUMENT, () -> decoder(1, 28, 28, false).decode("file 'cat.png'", png(grey(30, 20, 0))),
                "cat.png", "30x20", "28x28", "resize");
    }

    @Test
    void undecodableImagesNameTheFile() {
        fails(ErrorKind.INVALID_ARGUMENT, () -> decoder(1, 2, 2, false).decode("file 'x.png'", "hello".getBytes()),
                "x.png", "not a PNG or JPEG");
        byte[] png = png(grey(8, 8, 0));
        fails(ErrorKind.INVALID_ARGUMENT, () -> decoder(1, 8, 8, false).decode("file 'cut.png'", Arrays.copyOf(png, 40)),
                "cut.png", "cannot decode");
        byte[] jpg = jpeg(rgb(32, 32, 0));
        fails(ErrorKind.INVALID_ARGUMENT, () -> decoder(3, 32, 32, false).decode("file 'cut.jpg'", Arrays.copyOf(jpg, jpg.length / 2)),
                "cut.jpg", "cannot decode");
    }

    @Test
    void hugeSourceImagesAreRefusedBeforeDecoding() {
        ImageDecoder small = new ImageDecoder(new ImageInput(1, 4, 4), true, new ImageLimits(10, 1000, 100, 1 << 20));
        fails(ErrorKind.RESOURCE_EXHAUSTED, () -> small.decode("file 'big.png'", png(grey(11, 10, 0))), "big.png", "100 pixels");
        assertEquals(16, small.decode("ok.png", png(grey(10, 10, 0))).length);
    }

    @Test
    void aFortyNineMegapixelPngIsRefusedByDefaultFromItsHeader() {
        BufferedImage canvas = new BufferedImage(7000, 7000, BufferedImage.TYPE_BYTE_GRAY);
        byte[] encoded = png(canvas);
        canvas = null; // only the compressed bytes stay
        System.out.printf("a 7000x7000 black PNG compresses to %,d bytes%n", encoded.length);
        fails(ErrorKind.RESOURCE_EXHAUSTED, () -> decoder(1, 28, 28, true).decode("file 'huge.png'", encoded),
                "huge.png", "7000x7000", "16777216", "hpl.images.max-source-pixels");
    }

    @Test
    void tensorsAreCheckedForLengthRangeAndFiniteness() {
        ImageDecoder d = decoder(1, 2, 2, false);
        float[] ok = {0f, 0.5f, 1f, 0.25f};
        assertArrayEquals(ok, d.checkTensor("image 0", ok));
        fails(ErrorKind.INVALID_ARGUMENT, () -> d.checkTensor("image 1", new float[3]), "image 1", "3 values", "1x2x2", "4");
        fails(ErrorKind.INVALID_ARGUMENT, () -> d.checkTensor("image 2", new float[] {0, 1.5f, 0, 0}), "image 2", "value 1", "[0, 1]");
        fails(ErrorKind.INVALID_ARGUMENT, () -> d.checkTensor("image 3", new float[] {0, 0, Float.NaN, 0}), "image 3", "NaN");
        fails(ErrorKind.INVALID_ARGUMENT, () -> d.checkTensor("image 4", new float[] {-0.1f, 0, 0, 0}), "image 4");
    }

    @Test
    void batchesMixEncodedAndTensorImagesWithinTheValueLimit() {
        ImageDecoder d = decoder(1, 2, 2, false);
        float[][] x = ImageBatch.inputs(List.of(new ImageData.Encoded(png(grey(2, 2, 0))),
                new ImageData.Tensor(new float[] {1, 1, 1, 1})), d, ImageLimits.DEFAULTS);
        assertArrayEquals(new float[] {0, 1 / 255f, 16 / 255f, 17 / 255f}, x[0], 0f);
        assertArrayEquals(new float[] {1, 1, 1, 1}, x[1], 0f);
        fails(ErrorKind.INVALID_ARGUMENT, () -> ImageBatch.inputs(List.of(new ImageData.Tensor(new float[4]),
                new ImageData.Encoded(new byte[] {1, 2})), d, ImageLimits.DEFAULTS), "image 1");
        ImageLimits tight = new ImageLimits(10, 7, 100, 1000);
        fails(ErrorKind.RESOURCE_EXHAUSTED, () -> ImageBatch.inputs(List.of(new ImageData.Tensor(new float[4]),
                new ImageData.Tensor(new float[4])), d, tight), "8 values", "7");
    }
}
