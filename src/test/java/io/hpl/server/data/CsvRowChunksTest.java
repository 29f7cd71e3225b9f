package io.hpl.server.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a CSV dataset a chunk at a time gives the rows, encodings and targets that reading it whole gives. */
class CsvRowChunksTest {
    @TempDir
    Path dir;

    private final CsvDatasetReader reader = new CsvDatasetReader();

    private Path csv(String text) throws IOException {
        Path file = Files.createTempFile(dir, "data", ".csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** 23 rows (a blank line among them), every third unlabelled. */
    private static String text() {
        StringBuilder s = new StringBuilder("id,a,c,y\n");
        for (int i = 0; i < 23; i++) {
            s.append("k").append(i).append(',').append(i * 0.5).append(',').append(i % 2 == 0 ? "x" : "z").append(',')
                    .append(i % 3 == 1 ? "" : String.valueOf(i)).append('\n');
            if (i == 10) {
                s.append('\n');
            }
        }
        return s.toString();
    }

    @Test
    void chunksHoldEveryRowOnceInOrderEncodedAsTheWholeTable() throws IOException {
        Path file = csv(text());
        Table whole = reader.read(file, DatasetOptions.withSchema("y",
                reader.read(file, new DatasetOptions("y", List.of("id"), List.of(), null)).table().schema())).table();
        List<RowChunk> chunks = new ArrayList<>();
        try (RowChunks rows = reader.openChunks(file, DatasetOptions.withSchema("y", whole.schema()), "id", false)) {
            for (RowChunk c = rows.next(5); c != null; c = rows.next(5)) {
                chunks.add(c);
            }
            assertNull(rows.next(5), "stays at the end");
        }
        assertEquals(List.of(5, 5, 5, 5, 3), chunks.stream().map(RowChunk::rows).toList());
        int i = 0;
        for (RowChunk c : chunks) {
            for (int r = 0; r < c.rows(); r++, i++) {
                assertEquals(i, c.index()[r]);
                assertEquals("k" + i, c.ids()[r]);
                assertArrayEquals(whole.x()[i], c.x()[r]);
                assertEquals(whole.y()[i], c.y()[r]);
            }
        }
        assertEquals(23, i);
    }

    @Test
    void unlabelledOnlyKeepsTheRowsWithAnEmptyTargetAndTheirIndexes() throws IOException {
        Path file = csv(text());
        DatasetSchema schema = reader.read(file, new DatasetOptions("y", List.of("id"), List.of(), null)).table().schema();
        List<Long> indexes = new ArrayList<>();
        try (RowChunks rows = reader.openChunks(file, DatasetOptions.withSchema("y", schema), null, true)) {
            for (RowChunk c = rows.next(4); c != null; c = rows.next(4)) {
                assertNull(c.ids(), "no id column asked for");
                for (int r = 0; r < c.rows(); r++) {
                    indexes.add(c.index()[r]);
                    assertTrue(Double.isNaN(c.y()[r]));
                }
            }
        }
        assertEquals(List.of(1L, 4L, 7L, 10L, 13L, 16L, 19L, 22L), indexes);
    }

    @Test
    void aMissingIdOrFeatureColumnIsRefusedBeforeAnyRow() throws IOException {
        Path file = csv(text());
        DatasetSchema schema = reader.read(file, new DatasetOptions("y", List.of("id"), List.of(), null)).table().schema();
        HplException e = assertThrows(HplException.class,
                () -> reader.openChunks(file, DatasetOptions.withSchema("y", schema), "key", false));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("id column (id_column) 'key'"), e.getMessage());
        Path withoutC = csv("id,a,y\nk0,1,2\n");
        e = assertThrows(HplException.class, () -> reader.openChunks(withoutC, DatasetOptions.withSchema("y", schema), null, false));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
    }
}
