package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.Column;
import io.hpl.server.data.ColumnKind;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.data.Table;
import io.hpl.server.data.image.ImageArchiveOptions;
import io.hpl.server.data.image.TestImages;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDatasetStoreTest {
    private static final ImageInput GREY = new ImageInput(1, 3, 3);
    private static final byte[] ARCHIVE = new TestImages.Members()
            .add("a.png", TestImages.png(TestImages.grey(3, 3, 5)))
            .add("b.png", TestImages.png(TestImages.grey(3, 3, 50)))
            .add("labels.csv", "file,target\na.png,2.5\nb.png,\n").zip();

    @TempDir
    Path root;

    private static DatasetHeaderSpec header(ImageInput input, boolean resize) {
        return DatasetHeaderSpec.images("digits", new ImageArchiveOptions("", List.of(), input, resize, ""));
    }

    private static DatasetRecord upload(DatasetStore store, DatasetHeaderSpec header, byte[] bytes) {
        try (DatasetUpload upload = store.begin(header)) {
            upload.append(bytes);
            return upload.finish();
        }
    }

    @Test
    void publishesAndLoadsTheDecodedImages() {
        DatasetStore store = new DatasetStore(root);
        DatasetRecord record = upload(store, header(GREY, false), ARCHIVE);
        assertEquals(1, record.labelledRows());
        assertEquals(1, record.unlabelledRows());
        assertEquals(GREY, record.schema().image());
        assertEquals(ARCHIVE.length, record.sizeBytes());
        assertEquals(record, new DatasetStore(root).get(record.id()).orElseThrow()); // dataset.json round trip

        Table table = new DatasetStore(root).load(record.id());
        assertEquals(2, table.rows());
        assertEquals(5 / 255f, table.x()[0][0], 0f);
        assertEquals(50 / 255f, table.x()[1][0], 0f);
        assertEquals(2.5, table.y()[0]);
        assertTrue(Double.isNaN(table.y()[1]));
        assertArrayEquals(table.x()[1], store.load(record.id(), DatasetSchema.images("other", GREY)).x()[1], 0f);
    }

    @Test
    void imageChoicesAreDistinctDatasets() {
        DatasetStore store = new DatasetStore(root);
        String plain = upload(store, header(GREY, false), ARCHIVE).id();
        assertEquals(plain, upload(store, header(GREY, false), ARCHIVE).id());
        assertNotEquals(plain, upload(store, header(GREY, true), ARCHIVE).id());
        assertNotEquals(plain, upload(store, header(new ImageInput(3, 3, 3), false), ARCHIVE).id());
    }

    @Test
    void aModelOfAnotherShapeOrKindIsAPreconditionFailure() {
        DatasetStore store = new DatasetStore(root);
        String id = upload(store, header(GREY, false), ARCHIVE).id();
        HplException shape = assertThrows(HplException.class, () -> store.load(id, DatasetSchema.images("target", new ImageInput(3, 3, 3))));
        assertEquals(ErrorKind.FAILED_PRECONDITION, shape.kind());
        assertTrue(shape.getMessage().contains("1x3x3") && shape.getMessage().contains("3x3x3"), shape.getMessage());
        DatasetSchema tabular = new DatasetSchema("y", List.of(new Column("x", ColumnKind.NUMERIC, List.of())), List.of());
        assertEquals(ErrorKind.FAILED_PRECONDITION, assertThrows(HplException.class, () -> store.load(id, tabular)).kind());
    }

    @Test
    void aFailedUploadLeavesNothingBehind() throws IOException {
        DatasetStore store = new DatasetStore(root);
        byte[] broken = new TestImages.Members()
                .add("a.png", TestImages.png(TestImages.grey(3, 3, 5)))
                .add("b.png", "not an image")
                .add("labels.csv", "file,target\na.png,1\nb.png,2\n").zip();
        HplException e = assertThrows(HplException.class, () -> upload(store, header(GREY, false), broken));
        assertTrue(e.getMessage().contains("b.png"), e.getMessage());
        assertEquals(List.of(), store.list());
        try (Stream<Path> left = Files.list(root.resolve("tmp").resolve("datasets"))) {
            assertEquals(0, left.count());
        }
        try (Stream<Path> datasets = Files.list(root.resolve("datasets"))) {
            assertEquals(0, datasets.count());
        }
    }

    @Test
    void csvIdsDoNotChange() {
        DatasetStore store = new DatasetStore(root);
        // The content address of a CSV upload must not move when image choices join the header.
        DatasetHeaderSpec csv = new DatasetHeaderSpec("n", "y", List.of("id"), List.of());
        assertEquals(store.datasetId("00", csv), store.datasetId("00", new DatasetHeaderSpec("n", "y", List.of("id"), List.of(), null)));
        assertEquals(List.of("y", List.of("id"), List.of()), csv.canonicalChoices());
    }
}
