package io.hpl.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cell length and categories-per-column limits, as the CSV reader applies them. */
class TableLimitsTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path file = Files.createTempFile(dir, "data", ".csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static HplException refused(ErrorKind kind, Path file, TableLimits limits, DatasetOptions options,
                                        String... fragments) {
        HplException e = assertThrows(HplException.class, () -> new CsvDatasetReader(limits).read(file, options));
        assertEquals(kind, e.kind(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        assertTrue(e.getMessage().length() < 1000, "message of " + e.getMessage().length() + " characters");
        return e;
    }

    private static DatasetOptions target(String target, String... ignored) {
        return DatasetOptions.infer(target, List.of(ignored), List.of());
    }

    @Test
    void aLongNumericCellIsRefusedBeforeParsingNamingLineColumnAndSetting() throws IOException {
        Path file = csv("a,y\n1,2\n" + "9".repeat(32_000) + ",3\n");
        long start = System.nanoTime();
        refused(ErrorKind.INVALID_ARGUMENT, file, TableLimits.DEFAULTS, target("y"),
                "line 3", "'a'", "32000 characters", "1000", "hpl.tables.max-cell-chars");
        System.out.printf("32,000-character numeric cell refused in %.1f ms (printed, not asserted)%n",
                (System.nanoTime() - start) / 1e6);
    }

    @Test
    void theLimitHoldsForIgnoredColumnsTargetsAndHeaderNames() throws IOException {
        TableLimits limits = new TableLimits(10, 100);
        refused(ErrorKind.INVALID_ARGUMENT, csv("id,a,y\n" + "x".repeat(11) + ",1,2\n"), limits, target("y", "id"),
                "line 2", "'id'", "hpl.tables.max-cell-chars");
        refused(ErrorKind.INVALID_ARGUMENT, csv("a,y\n1,1" + "0".repeat(10) + "\n"), limits, target("y"),
                "line 2", "'y'");
        refused(ErrorKind.INVALID_ARGUMENT, csv("a,y" + "z".repeat(10) + "\n1,2\n"), limits, target("y"),
                "line 1 (header)", "'2'", "hpl.tables.max-cell-chars");
    }

    @Test
    void cellsAtTheLimitAreAccepted() throws IOException {
        TableLimits limits = new TableLimits(10, 100);
        Table t = new CsvDatasetReader(limits).read(csv("a,y\n" + "1".repeat(10) + ",2\n"), target("y")).table();
        assertEquals(1.111111111e9, t.x()[0][0], 1e3);
    }

    @Test
    void tooManyCategoriesAreRefusedNamingTheColumnTheSettingAndIgnoreColumns() throws IOException {
        StringBuilder text = new StringBuilder("id,a,y\n");
        for (int i = 0; i < 20_000; i++) {
            text.append("user-").append(i).append(',').append(i % 7).append(',').append(i % 3).append('\n');
        }
        Path file = csv(text.toString());
        refused(ErrorKind.RESOURCE_EXHAUSTED, file, TableLimits.DEFAULTS, target("y"),
                "'id'", "1000", "hpl.tables.max-categories-per-column", "ignore_columns");
        // The advice works: the same file with the column ignored reads.
        assertEquals(1, new CsvDatasetReader().read(file, target("y", "id")).table().schema().features().size());
    }

    @Test
    void categoriesAtTheLimitAreAccepted() throws IOException {
        Table t = new CsvDatasetReader(new TableLimits(100, 3)).read(csv("c,y\nr,1\ng,2\nb,3\nr,4\n"), target("y")).table();
        assertEquals(List.of("b", "g", "r"), t.schema().features().get(0).categories());
        refused(ErrorKind.RESOURCE_EXHAUSTED, csv("c,y\nr,1\ng,2\nb,3\nw,4\n"), new TableLimits(100, 3), target("y"),
                "'c'", "3");
    }

    @Test
    void anUploadWithNoFeatureColumnsIsRefused() throws IOException {
        refused(ErrorKind.INVALID_ARGUMENT, csv("id,y\na,1\nb,2\n"), TableLimits.DEFAULTS, target("y", "id"),
                "no feature columns", "'y'", "ignore_columns");
    }

    @Test
    void aTargetOutsideFloat32IsRefused() throws IOException {
        refused(ErrorKind.INVALID_ARGUMENT, csv("a,y\n1,2\n2,1e308\n"), TableLimits.DEFAULTS, target("y"),
                "line 3", "'y'", "float32");
        refused(ErrorKind.INVALID_ARGUMENT, csv("a,y\n1,2\n2,-1e39\n"), TableLimits.DEFAULTS, target("y"),
                "line 3", "float32");
    }
}
