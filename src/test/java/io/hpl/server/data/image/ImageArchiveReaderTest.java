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
import io.hpl.server.data.Table;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageArchiveReaderTest {
    private static final ImageArchiveOptions GREY_4x4 = new ImageArchiveOptions("", List.of(), new ImageInput(1, 4, 4), false, "");

    @TempDir
    Path dir;

    private Table read(byte[] archive, ImageArchiveOptions options, ImageLimits limits) throws IOException {
        Path file = Files.write(dir.resolve("upload-" + System.nanoTime()), archive);
        return new ImageArchiveReader(limits).read(file, options);
    }

    private Table read(byte[] archive) throws IOException {
        return read(archive, GREY_4x4, ImageLimits.DEFAULTS);
    }

    private void fails(ErrorKind kind, byte[] archive, String... words) {
        fails(kind, archive, GREY_4x4, ImageLimits.DEFAULTS, words);
    }

    private void fails(ErrorKind kind, byte[] archive, ImageArchiveOptions options, ImageLimits limits, String... words) {
        HplException e = assertThrows(HplException.class, () -> read(archive, options, limits));
        assertEquals(kind, e.kind(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should mention '" + w + "'");
        }
    }

    /** Three grey 4x4 PNGs, the second unlabelled, and a README the index does not list. */
    private static TestImages.Members threeImages() {
        return new TestImages.Members()
                .add("README.txt", "not an image")
                .add("b.png", png(grey(4, 4, 20)))
                .add("labels.csv", "file,target\na.png,1.5\nb.png,\nc.png,-2\n")
                .add("a.png", png(grey(4, 4, 10)))
                .add("c.png", png(grey(4, 4, 30)));
    }

    private static float[] greyPixels(int seed) {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = TestImages.greyValue(i / 4, i % 4, seed) / 255f;
        }
        return x;
    }

    @Test
    void zipTarAndGzipTarReadTheSameInIndexOrder() throws IOException {
        for (byte[] archive : List.of(threeImages().zip(), threeImages().tar(), threeImages().tarGz())) {
            Table t = read(archive);
            assertEquals(3, t.rows());
            assertTrue(t.schema().isImage());
            assertEquals(new ImageInput(1, 4, 4), t.schema().image());
            assertEquals("target", t.schema().targetColumn());
            assertArrayEquals(greyPixels(10), t.x()[0], 0f);
            assertArrayEquals(greyPixels(20), t.x()[1], 0f);
            assertArrayEquals(greyPixels(30), t.x()[2], 0f);
            assertEquals(1.5, t.y()[0]);
            assertTrue(Double.isNaN(t.y()[1]));
            assertEquals(-2.0, t.y()[2]);
            assertEquals(2, t.labelledRows());
        }
    }

    @Test
    void indexInAFolderNamesFilesRelativeToIt() throws IOException {
        byte[] archive = new TestImages.Members()
                .add("set/", new byte[0])
                .add("./set/img/a.jpg", jpeg(rgb(8, 8, 0)))
                .add("set/meta.csv", "id,file,age\n7,img/a.jpg,3\n").tar();
        ImageArchiveOptions options = new ImageArchiveOptions("age", List.of("id"), new ImageInput(3, 4, 4), true, "set/meta.csv");
        Table t = read(archive, options, ImageLimits.DEFAULTS);
        assertEquals(1, t.rows());
        assertEquals(48, t.x()[0].length);
        assertEquals(3.0, t.y()[0]);
    }

    @Test
    void traversalNamesAreOnlyNames() throws IOException {
        byte[] archive = new TestImages.Members()
                .add("../evil.png", png(grey(4, 4, 0)))
                .add("labels.csv", "file,target\n../evil.png,1\n").tar();
        assertEquals(1, read(archive).rows());
        try (var files = Files.list(dir.getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().equals("evil.png")));
        }
    }

    @Test
    void notAnArchiveOrCorrupt() {
        fails(ErrorKind.INVALID_ARGUMENT, "file,target\na.png,1\n".getBytes(), "not a zip or tar archive");
        byte[] zip = threeImages().zip();
        fails(ErrorKind.INVALID_ARGUMENT, Arrays.copyOf(zip, zip.length - 30), "zip archive is corrupt");
        byte[] tar = threeImages().tar();
        fails(ErrorKind.INVALID_ARGUMENT, Arrays.copyOf(tar, 700), "tar archive is corrupt");
        fails(ErrorKind.INVALID_ARGUMENT, new byte[0], "empty");
    }

    @Test
    void emptyArchiveAndMissingIndex() {
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().zip(), "archive is empty");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("a.png", png(grey(4, 4, 0)))
                .add("data/targets.csv", "file,target\n").zip(), "'labels.csv' is not in the archive", "data/targets.csv", "index_file");
    }

    @Test
    void badIndexHeaders() {
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("labels.csv", "").zip(), "labels.csv", "index is empty");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("labels.csv", "path,target\na.png,1\n").zip(),
                "labels.csv line 1", "'path'", "ignore_columns");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("labels.csv", "file,price\na.png,1\n").zip(),
                "labels.csv line 1", "'price'");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("labels.csv", "file\na.png\n").zip(),
                "labels.csv line 1", "'target' is missing");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("labels.csv", "file,target\n").zip(), "lists no images");
    }

    @Test
    void listedFilesMustBeThereOnceAndDecode() {
        fails(ErrorKind.INVALID_ARGUMENT, threeImages().add("labels2.csv", "x").zip(), GREY_4x4.withIndex("labels2.csv"), ImageLimits.DEFAULTS, "labels2.csv line 1", "'x'");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("a.png", png(grey(4, 4, 0)))
                .add("labels.csv", "file,target\na.png,1\nmissing.png,2\n").zip(), "missing.png", "labels.csv line 3", "not in the archive");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("a.png", png(grey(4, 4, 0)))
                .add("labels.csv", "file,target\na.png,1\na.png,2\n").zip(), "'a.png' is listed twice", "line 3", "line 2");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("a.png", png(grey(4, 4, 0))).add("a.png", png(grey(4, 4, 1)))
                .add("labels.csv", "file,target\na.png,1\n").tar(), "a.png", "2 members");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("a.png", png(grey(4, 4, 0))).add("bad.png", "garbage")
                .add("labels.csv", "file,target\na.png,1\nbad.png,2\n").zip(), "file 'bad.png' (labels.csv line 3)", "not a PNG or JPEG");
        fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("big.png", png(grey(5, 4, 0)))
                .add("labels.csv", "file,target\nbig.png,1\n").zip(), "big.png", "5x4", "4x4");
    }

    @Test
    void targetsMustBeFiniteNumbersAndOneLabelled() {
        for (String bad : List.of("abc", "NaN", "Inf")) {
            fails(ErrorKind.INVALID_ARGUMENT, new TestImages.Members().add("a.png", png(grey(4, 4, 0)))
                    .add("labels.csv", "file,target\na.png," + bad + "\n").zip(), "a.png", "labels.csv line 2", "'target'");
        }
        fails(ErrorKind.FAILED_PRECONDITION, new TestImages.Members().add("a.png", png(grey(4, 4, 0)))
                .add("labels.csv", "file,target\na.png,\n").zip(), "no labelled images");
    }

    @Test
    void limitsAreCheckedBeforeDecoding() {
        byte[] archive = threeImages().zip();
        fails(ErrorKind.RESOURCE_EXHAUSTED, archive, GREY_4x4, new ImageLimits(2, 1000, 1000, 1000), "3 images", "max-images");
        fails(ErrorKind.RESOURCE_EXHAUSTED, archive, GREY_4x4, new ImageLimits(10, 47, 1000, 1000), "48 values", "max-values");
        fails(ErrorKind.RESOURCE_EXHAUSTED, archive, GREY_4x4, new ImageLimits(10, 1000, 1000, 40), "max-file-bytes");
    }
}
