package io.hpl.server.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvDatasetReaderTest {
    @TempDir
    Path dir;

    private final CsvDatasetReader reader = new CsvDatasetReader();

    private Path csv(String text) throws IOException {
        Path file = Files.createTempFile(dir, "data", ".csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static DatasetOptions target(String target) {
        return DatasetOptions.infer(target, List.of(), List.of());
    }

    private Table read(String text, DatasetOptions options) throws IOException {
        return reader.read(csv(text), options).table();
    }

    /** Asserts the read fails with {@code kind} and a message containing every fragment. */
    private void rejects(String text, DatasetOptions options, ErrorKind kind, String... fragments) throws IOException {
        Path file = csv(text);
        HplException e = assertThrows(HplException.class, () -> reader.read(file, options));
        assertEquals(kind, e.kind(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    private void rejects(String text, String... fragments) throws IOException {
        rejects(text, target("y"), ErrorKind.INVALID_ARGUMENT, fragments);
    }

    @Test
    void infersNumericAndCategoricalColumnsAndEncodesInFileOrder() throws IOException {
        Table t = read("""
                id,size,colour,y
                a,1.5,red,10
                b,-2,blue,20
                c,3e1,green,30
                """, DatasetOptions.infer("y", List.of("id"), List.of()));
        DatasetSchema schema = t.schema();
        assertEquals("y", schema.targetColumn());
        assertEquals(List.of(Column.numeric("size"), Column.categorical("colour", List.of("blue", "green", "red"))),
                schema.features());
        assertEquals(List.of("id"), schema.ignoredColumns());
        assertArrayEquals(new float[] {1.5f, 0, 0, 1}, t.x()[0]);
        assertArrayEquals(new float[] {-2f, 1, 0, 0}, t.x()[1]);
        assertArrayEquals(new float[] {30f, 0, 1, 0}, t.x()[2]);
        assertArrayEquals(new double[] {10, 20, 30}, t.y());
    }

    @Test
    void explicitCategoricalOverridesNumericLookingColumn() throws IOException {
        Table t = read("zip,y\n10,1\n9,2\n10,3\n", DatasetOptions.infer("y", List.of(), List.of("zip")));
        // Sorted as text: "10" before "9".
        assertEquals(List.of(Column.categorical("zip", List.of("10", "9"))), t.schema().features());
        assertArrayEquals(new float[] {0, 1}, t.x()[1]);
    }

    @Test
    void columnWithOneNonNumberIsCategorical() throws IOException {
        Table t = read("k,y\n1,1\n2,2\nx,3\n", target("y"));
        assertEquals(List.of(Column.categorical("k", List.of("1", "2", "x"))), t.schema().features());
    }

    @Test
    void quotedCellsAndTrailingBlankLine() throws IOException {
        Table t = read("name,v,y\n\"a, \"\"b\"\"\",1,2\n\"multi\nline\",3,4\n\n", DatasetOptions.infer("y", List.of(), List.of()));
        assertEquals(List.of("a, \"b\"", "multi\nline"), t.schema().features().get(0).categories());
        assertEquals(2, t.rows());
    }

    @Test
    void byteOrderMarkIsNotPartOfFirstColumnName() throws IOException {
        Table t = read("\uFEFFa,y\n1,2\n", target("y"));
        assertEquals("a", t.schema().features().get(0).name());
    }

    @Test
    void emptyTargetCellIsUnlabelled() throws IOException {
        Table t = read("a,y\n1,5\n2,\n3,\"\"\n4,6\n", target("y"));
        assertEquals(2, t.labelledRows());
        assertEquals(2, t.unlabelledRows());
        assertTrue(Double.isNaN(t.y()[1]));
        assertEquals(6.0, t.y()[3]);
    }

    @Test
    void malformedCsvNamesLine() throws IOException {
        rejects("a,y\n1,2\n\"3,4\n5,6\n", "line 3", "malformed CSV");
    }

    @Test
    void raggedRowSaysExpectedAndGot() throws IOException {
        rejects("a,b,y\n1,2,3\n1,2\n", "line 3", "expected 3 cells", "got 2");
        rejects("a,b,y\n1,2,3\n\"x\ny\",2,3\n1,2,3,4\n", "line 5", "expected 3 cells", "got 4");
    }

    @Test
    void lineNumbersCountBlankLinesAndMultiLineCells() throws IOException {
        rejects("a,y\n1,2\n\n\n3,x\n", "line 5, column 'y'");
        rejects("k,y\n\"two\nlines\",1\n\r\nz,\"a\"\n", "line 5, column 'y'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Inf", "inf", "-Infinity"})
    void nonFiniteTokenInNumericColumnIsRejectedNotTakenAsCategory(String token) throws IOException {
        rejects("a,y\n1,1\n" + token + ",2\n3,3\n", "line 3", "column 'a'", "NaN and infinite");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "inf", "-Infinity"})
    void nonFiniteTargetRejected(String token) throws IOException {
        rejects("a,y\n1,1\n2," + token + "\n", "line 3", "column 'y'", "NaN and infinite");
    }

    @Test
    void nonNumericTargetRejected() throws IOException {
        rejects("a,y\n1,1\n2,high\n", "line 3", "column 'y'", "'high' is not a number");
    }

    // ------------------------------------------------------------ missing values

    @Test
    void emptyNumericCellIsMissingAndGetsAnIndicator() throws IOException {
        Table t = read("a,b,y\n1,2,3\n4,,5\n6,\"\",\n7,8,9\n", target("y"));
        assertEquals(List.of(Column.numeric("a"), Column.numeric("b").withMissing()), t.schema().features());
        assertEquals(List.of("a", "b", "b__missing"), t.schema().encodedNames());
        assertArrayEquals(new boolean[] {false, false, true}, t.schema().oneHotMask());
        assertArrayEquals(new float[] {1, 2, 0}, t.x()[0]);
        assertEquals(4f, t.x()[1][0]);
        assertTrue(Float.isNaN(t.x()[1][1]), "an empty numeric cell is NaN");
        assertEquals(1f, t.x()[1][2]);
        assertTrue(Float.isNaN(t.x()[2][1]));
        assertEquals(3, t.labelledRows(), "an empty target still means unlabelled");
        assertEquals(1, t.unlabelledRows());
    }

    @Test
    void numericColumnWithEmptyCellsStaysNumeric() throws IOException {
        Table t = read("a,y\n,1\n,2\n3.5,3\n", target("y"));
        assertEquals(ColumnKind.NUMERIC, t.schema().features().get(0).kind());
        assertTrue(t.schema().features().get(0).hasMissing());
    }

    @Test
    void emptyCategoricalCellIsItsOwnCategory() throws IOException {
        Table t = read("k,y\nred,1\n,2\nblue,3\n", target("y"));
        assertEquals(List.of(Column.categorical("k", List.of("blue", "red")).withMissing()), t.schema().features());
        assertEquals(List.of("k=blue", "k=red", "k__missing"), t.schema().encodedNames());
        assertArrayEquals(new float[] {0, 1, 0}, t.x()[0]);
        assertArrayEquals(new float[] {0, 0, 1}, t.x()[1]);
        assertArrayEquals(new float[] {1, 0, 0}, t.x()[2]);
    }

    @Test
    void columnsWithoutEmptyCellsHaveNoIndicator() throws IOException {
        Table t = read("a,k,y\n1,p,3\n2,q,\n", target("y"));
        assertTrue(t.schema().features().stream().noneMatch(Column::hasMissing));
        assertEquals(3, t.schema().encodedWidth());
    }

    @Test
    void columnEmptyInEveryRowRejected() throws IOException {
        rejects("a,b,y\n1,,3\n4,,5\n", "column 'b' is empty in every row", "ignore_columns");
    }

    @Test
    void numericColumnWithEmptyCellsStillRejectsNonFiniteText() throws IOException {
        rejects("a,b,y\n1,,3\n4,NaN,5\n", "line 3", "column 'b'", "NaN and infinite");
    }

    @Test
    void fixedSchemaWithoutMissingRefusesEmptyCell() throws IOException {
        rejects("a,c,y\n1,p,3\n,q,5\n", DatasetOptions.withSchema("y", MODEL), ErrorKind.INVALID_ARGUMENT,
                "line 3", "column 'a'", "missing value");
    }

    @Test
    void fixedSchemaWithMissingAcceptsEmptyCells() throws IOException {
        DatasetSchema model = new DatasetSchema("y", List.of(Column.numeric("a").withMissing(),
                Column.categorical("c", List.of("p", "q")).withMissing()), List.of());
        Table t = read("a,c,y\n,p,3\n2,,5\n", DatasetOptions.withSchema("y", model));
        assertTrue(Float.isNaN(t.x()[0][0]));
        assertArrayEquals(new float[] {1, 1, 0, 0}, java.util.Arrays.copyOfRange(t.x()[0], 1, 5));
        assertArrayEquals(new float[] {2, 0, 0, 0, 1}, t.x()[1]);
    }

    @Test
    void headerProblems() throws IOException {
        rejects("", "empty");
        rejects("a,y\n", "no data rows");
        rejects("a,b,a,y\n1,2,3,4\n", "line 1", "'a' appears twice");
        rejects("a,,y\n1,2,3\n", "line 1", "column 2 has no name");
        rejects("a,b\n1,2\n", "line 1", "target column (target_column) 'y' is not in the header", "columns: a, b");
        rejects("a,y\n1,2\n", DatasetOptions.infer("y", List.of("id"), List.of()), ErrorKind.INVALID_ARGUMENT,
                "line 1", "ignore column (ignore_columns) 'id' is not in the header");
        rejects("a,y\n1,2\n", DatasetOptions.infer("y", List.of(), List.of("c")), ErrorKind.INVALID_ARGUMENT,
                "line 1", "categorical column (categorical_columns) 'c' is not in the header");
    }

    @Test
    void targetListedAsIgnoredOrCategoricalRejectedUpFront() {
        HplException ignored = assertThrows(HplException.class, () -> DatasetOptions.infer("y", List.of("y"), List.of()));
        assertTrue(ignored.getMessage().contains("'y' is also listed in ignore_columns"), ignored.getMessage());
        HplException categorical = assertThrows(HplException.class, () -> DatasetOptions.infer("y", List.of(), List.of("y")));
        assertTrue(categorical.getMessage().contains("categorical_columns"), categorical.getMessage());
        assertEquals(ErrorKind.INVALID_ARGUMENT,
                assertThrows(HplException.class, () -> DatasetOptions.infer(" ", List.of(), List.of())).kind());
    }

    @Test
    void noLabelledRowsIsFailedPrecondition() throws IOException {
        rejects("a,y\n1,\n2,\n", target("y"), ErrorKind.FAILED_PRECONDITION, "no labelled rows", "'y'");
    }

    @Test
    void invalidUtf8Rejected() throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".csv");
        Files.write(file, new byte[] {'a', ',', 'y', '\n', (byte) 0xC3, (byte) 0x28, ',', '1', '\n'});
        HplException e = assertThrows(HplException.class, () -> reader.read(file, target("y")));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    // ------------------------------------------------------------ fixed schema

    private static final DatasetSchema MODEL = new DatasetSchema("y",
            List.of(Column.numeric("a"), Column.categorical("c", List.of("p", "q"))), List.of());

    @Test
    void fixedSchemaEncodesWithItsCategoriesAndIgnoresExtraColumns() throws IOException {
        Table t = read("extra,c,a,price\nzz,q,1,10\nzz,q,2,\n", DatasetOptions.withSchema("price", MODEL));
        assertEquals(MODEL.features(), t.schema().features());
        assertEquals("price", t.schema().targetColumn());
        assertEquals(List.of("extra"), t.schema().ignoredColumns());
        assertArrayEquals(new float[] {1, 0, 1}, t.x()[0]);
        assertEquals(1, t.unlabelledRows());
    }

    @Test
    void fixedSchemaMissingFeatureColumnRejected() throws IOException {
        rejects("c,y\np,1\n", DatasetOptions.withSchema("y", MODEL), ErrorKind.INVALID_ARGUMENT, "line 1", "'a'");
    }

    @Test
    void fixedSchemaNonNumericValueInNumericColumnRejected() throws IOException {
        rejects("a,c,y\n1,p,1\nbig,p,2\n", DatasetOptions.withSchema("y", MODEL), ErrorKind.INVALID_ARGUMENT,
                "line 3", "column 'a'", "'big' is not a number");
    }

    @Test
    void fixedSchemaUnknownCategoryRejected() throws IOException {
        rejects("a,c,y\n1,r,1\n", DatasetOptions.withSchema("y", MODEL), ErrorKind.INVALID_ARGUMENT,
                "line 2", "column 'c'", "unknown category 'r'", "'p', 'q'");
    }

    @Test
    void fixedSchemaFeatureAsTargetRejected() {
        assertThrows(HplException.class, () -> DatasetOptions.withSchema("a", MODEL));
    }
}
