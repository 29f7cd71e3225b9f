package io.hpl.server.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeatureEncoderTest {
    private static final DatasetSchema SCHEMA = new DatasetSchema("y",
            List.of(Column.numeric("a"), Column.categorical("colour", List.of("blue", "green", "red")),
                    Column.categorical("code", List.of("1", "2", "2.5"))),
            List.of("id"));
    private final FeatureEncoder encoder = new FeatureEncoder(SCHEMA);

    private static Function<String, CellValue> row(Map<String, CellValue> cells) {
        return name -> cells.getOrDefault(name, CellValue.MISSING);
    }

    private static Map<String, CellValue> valid() {
        return Map.of("a", new CellValue.Number(1.5), "colour", new CellValue.Text("red"), "code", new CellValue.Text("2"));
    }

    private static Map<String, CellValue> with(String column, CellValue value) {
        var cells = new HashMap<>(valid());
        cells.put(column, value);
        return cells;
    }

    private HplException rejects(Map<String, CellValue> cells) {
        HplException e = assertThrows(HplException.class, () -> encoder.encodeRow("row 7", row(cells)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        return e;
    }

    @Test
    void encodesNumericAsValueAndCategoricalOneHotInSchemaOrder() {
        assertArrayEquals(new float[] {1.5f, 0, 0, 1, 0, 1, 0}, encoder.encodeRow("row 1", row(valid())));
        assertArrayEquals(new float[] {-3f, 1, 0, 0, 0, 0, 1},
                encoder.encodeRow("row 2", row(Map.of("a", new CellValue.Text("-3"), "colour", new CellValue.Text("blue"),
                        "code", new CellValue.Text("2.5")))));
    }

    @Test
    void numberInCategoricalColumnIsReadAsItsCanonicalDecimalText() {
        float[] two = encoder.encodeRow("row 1", row(with("code", new CellValue.Number(2.0))));
        assertArrayEquals(new float[] {0, 1, 0}, Arrays.copyOfRange(two, 4, 7));
        float[] twoAndHalf = encoder.encodeRow("row 1", row(with("code", new CellValue.Number(2.50))));
        assertArrayEquals(new float[] {0, 0, 1}, Arrays.copyOfRange(twoAndHalf, 4, 7));
    }

    @Test
    void missingFeatureNamesRowAndColumn() {
        var cells = new HashMap<>(valid());
        cells.remove("colour");
        String message = rejects(cells).getMessage();
        assertTrue(message.startsWith("row 7, column 'colour': missing value"), message);
        assertTrue(rejects(with("a", new CellValue.Text(""))).getMessage().contains("column 'a': missing value"));
    }

    private static final DatasetSchema WITH_MISSING = new DatasetSchema("y",
            List.of(Column.numeric("a").withMissing(), Column.categorical("colour", List.of("blue", "red")).withMissing(),
                    Column.numeric("b")),
            List.of());

    @Test
    void missingCellOfColumnWithMissingValuesIsNaNOrAllZeroWithIndicator() {
        var enc = new FeatureEncoder(WITH_MISSING);
        assertEquals(List.of("a", "a__missing", "colour=blue", "colour=red", "colour__missing", "b"), WITH_MISSING.encodedNames());
        float[] present = enc.encodeRow("row 0", row(Map.of("a", new CellValue.Number(2), "colour",
                new CellValue.Text("red"), "b", new CellValue.Number(5))));
        assertArrayEquals(new float[] {2, 0, 0, 1, 0, 5}, present);
        // absent, null (MISSING) and empty text all mean missing
        for (CellValue missing : List.of(CellValue.MISSING, new CellValue.Text(""))) {
            float[] x = enc.encodeRow("row 1", row(Map.of("a", missing, "colour", missing, "b", new CellValue.Number(5))));
            assertTrue(Float.isNaN(x[0]));
            assertArrayEquals(new float[] {1, 0, 0, 1, 5}, Arrays.copyOfRange(x, 1, 6));
        }
        float[] absent = enc.encodeRow("row 2", row(Map.of("b", new CellValue.Number(5))));
        assertTrue(Float.isNaN(absent[0]));
        assertArrayEquals(new float[] {1, 0, 0, 1, 5}, Arrays.copyOfRange(absent, 1, 6));
    }

    @Test
    void columnWithoutMissingValuesStillNeedsOneNextToColumnsThatHaveThem() {
        var enc = new FeatureEncoder(WITH_MISSING);
        HplException e = assertThrows(HplException.class, () -> enc.encodeRow("row 3", row(Map.of("a", new CellValue.Number(1)))));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("row 3, column 'b': missing value"), e.getMessage());
        HplException unknown = assertThrows(HplException.class, () -> enc.encodeRow("row 4",
                row(Map.of("colour", new CellValue.Text("green"), "b", new CellValue.Number(1)))));
        assertTrue(unknown.getMessage().contains("unknown category 'green'"), unknown.getMessage());
    }

    @Test
    void nonNumericTextInNumericColumn() {
        String message = rejects(with("a", new CellValue.Text("abc"))).getMessage();
        assertTrue(message.contains("row 7, column 'a': 'abc' is not a number"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Inf", "inf", "-Infinity", "1e999"})
    void nonFiniteTextRejected(String text) {
        String message = rejects(with("a", new CellValue.Text(text))).getMessage();
        assertTrue(message.contains("row 7, column 'a': NaN and infinite values are not allowed"), message);
    }

    @Test
    void nonFiniteNumbersRejectedInNumericAndCategoricalColumns() {
        assertTrue(rejects(with("a", new CellValue.Number(Double.NaN))).getMessage().contains("column 'a'"));
        assertTrue(rejects(with("code", new CellValue.Number(Double.POSITIVE_INFINITY))).getMessage()
                .contains("column 'code': NaN and infinite"));
    }

    @Test
    void valueBeyondFloat32RangeRejected() {
        String message = rejects(with("a", new CellValue.Number(1e300))).getMessage();
        assertTrue(message.contains("column 'a'") && message.contains("float32"), message);
    }

    @Test
    void unknownCategoryListsKnownOnes() {
        String message = rejects(with("colour", new CellValue.Text("purple"))).getMessage();
        assertTrue(message.contains("row 7, column 'colour': unknown category 'purple'"), message);
        assertTrue(message.contains("'blue', 'green', 'red'"), message);
    }

    @Test
    void unknownCategoryListIsShortened() {
        List<String> many = IntStream.range(0, 12).mapToObj(i -> "c" + (10 + i)).toList();
        var enc = new FeatureEncoder(new DatasetSchema("y", List.of(Column.categorical("k", many)), List.of()));
        HplException e = assertThrows(HplException.class,
                () -> enc.encodeRow("row 1", row(Map.of("k", new CellValue.Text("zz")))));
        assertTrue(e.getMessage().endsWith("'c10', 'c11', 'c12', 'c13', 'c14' and 7 more"), e.getMessage());
    }

    @Test
    void readTargetGivesValueOrNaNWhenMissing() {
        assertEquals(4.25, encoder.readTarget("row 1", row(Map.of("y", new CellValue.Text("4.25")))));
        assertEquals(-1.0, encoder.readTarget("row 1", row(Map.of("y", new CellValue.Number(-1)))));
        assertTrue(Double.isNaN(encoder.readTarget("row 1", row(Map.of()))));
        assertTrue(Double.isNaN(encoder.readTarget("row 1", row(Map.of("y", new CellValue.Text(""))))));
    }

    @Test
    void readTargetRejectsTextAndNonFinite() {
        HplException text = assertThrows(HplException.class,
                () -> encoder.readTarget("line 3", row(Map.of("y", new CellValue.Text("high")))));
        assertTrue(text.getMessage().startsWith("line 3, column 'y': 'high' is not a number"), text.getMessage());
        HplException nan = assertThrows(HplException.class,
                () -> encoder.readTarget("line 3", row(Map.of("y", new CellValue.Text("NaN")))));
        assertTrue(nan.getMessage().contains("column 'y': NaN"), nan.getMessage());
    }

    @Test
    void numberTextIsStricterThanParseDouble() {
        assertEquals(1500.0, NumberText.parse(" 1.5e3 "));
        assertEquals(0.5, NumberText.parse(".5"));
        assertEquals(null, NumberText.parse("1d"));
        assertEquals(null, NumberText.parse("0x1p3"));
        assertEquals(null, NumberText.parse("abc"));
        assertTrue(Double.isNaN(NumberText.parse("nan")));
        assertEquals(Double.NEGATIVE_INFINITY, NumberText.parse("-inf"));
        assertEquals("2", NumberText.canonical(2.0));
        assertEquals("0", NumberText.canonical(-0.0));
        assertEquals("0.1", NumberText.canonical(0.1));
        assertEquals("100000000000000000000", NumberText.canonical(1e20));
    }
}
