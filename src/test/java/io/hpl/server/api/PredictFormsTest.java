package io.hpl.server.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import io.hpl.server.api.v1.ColumnValues;
import io.hpl.server.api.v1.EncodedMatrix;
import io.hpl.server.api.v1.FeatureColumns;
import io.hpl.server.api.v1.PackedPredictions;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.GaussianIntervals;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.EncodedRows;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The columns and x forms as the serving layer gets them, and the request-shape errors caught on the way. */
class PredictFormsTest {
    private static ColumnValues floats(String name, float... values) {
        ColumnValues.Builder b = ColumnValues.newBuilder().setName(name);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    private static ColumnValues doubles(String name, double... values) {
        ColumnValues.Builder b = ColumnValues.newBuilder().setName(name);
        for (double v : values) {
            b.addDoubles(v);
        }
        return b.build();
    }

    private static ColumnValues texts(String name, String... values) {
        return ColumnValues.newBuilder().setName(name).addAllTexts(List.of(values)).build();
    }

    private static String invalid(Runnable call) {
        HplException e = assertThrows(HplException.class, call::run);
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void columnsKeepTheirKindAndValues() {
        io.hpl.server.serving.FeatureColumns columns = ProtoMapper.columns(FeatureColumns.newBuilder()
                .addColumns(floats("a", 1.5f, Float.NaN)).addColumns(doubles("b", 2.25, 3))
                .addColumns(texts("c", "red", "")).build());
        assertEquals(2, columns.rows());
        var a = (io.hpl.server.serving.FeatureColumns.Floats) columns.columns().get("a");
        assertArrayEquals(new float[] {1.5f, Float.NaN}, a.values());
        assertArrayEquals(new double[] {2.25, 3}, ((io.hpl.server.serving.FeatureColumns.Numbers) columns.columns().get("b")).values());
        assertTrue(columns.columns().get("c").cell(1).isMissing());
    }

    @Test
    void badColumnsAreRefusedWithWhatToFix() {
        assertTrue(invalid(() -> ProtoMapper.columns(FeatureColumns.getDefaultInstance())).contains("no columns"));
        assertTrue(invalid(() -> ProtoMapper.columns(FeatureColumns.newBuilder().addColumns(floats("", 1)).build()))
                .contains("columns[0] has no name"));
        assertTrue(invalid(() -> ProtoMapper.columns(FeatureColumns.newBuilder()
                .addColumns(floats("a", 1).toBuilder().addTexts("x")).build())).contains("more than one kind"));
        String lengths = invalid(() -> ProtoMapper.columns(FeatureColumns.newBuilder()
                .addColumns(floats("a", 1, 2, 3)).addColumns(doubles("b", 1, 2)).build()));
        assertTrue(lengths.contains("column 'b' has 2 values, column 'a' has 3"), lengths);
        assertTrue(invalid(() -> ProtoMapper.columns(FeatureColumns.newBuilder()
                .addColumns(floats("a", 1)).addColumns(doubles("a", 1)).build())).contains("given twice"));
    }

    @Test
    void xIsRowsOfItsWidth() {
        EncodedRows x = ProtoMapper.encodedRows(EncodedMatrix.newBuilder().setWidth(2).addValues(1).addValues(2)
                .addValues(3).addValues(4).addValues(5).addValues(6).build());
        assertEquals(3, x.rows());
        assertEquals(2, x.width());
        assertTrue(invalid(() -> ProtoMapper.encodedRows(EncodedMatrix.newBuilder().addValues(1).build()))
                .contains("x.width is 0"));
        assertTrue(invalid(() -> ProtoMapper.encodedRows(EncodedMatrix.newBuilder().setWidth(2).addValues(1)
                .addValues(2).addValues(3).build())).contains("3 values, not a whole number of rows of width 2"));
    }

    @Test
    void oneFormPerRequest() {
        assertEquals(PredictCalls.Form.ROWS, PredictCalls.form(PredictRequest.getDefaultInstance()));
        assertEquals(PredictCalls.Form.COLUMNS, PredictCalls.form(PredictRequest.newBuilder()
                .setColumns(FeatureColumns.getDefaultInstance()).build()));
        assertEquals(PredictCalls.Form.X, PredictCalls.form(PredictRequest.newBuilder()
                .setX(EncodedMatrix.getDefaultInstance()).build()));
        String both = invalid(() -> PredictCalls.form(PredictRequest.newBuilder().addRows(Struct.getDefaultInstance())
                .setX(EncodedMatrix.getDefaultInstance()).build()));
        assertTrue(both.contains("this request sets rows and x"), both);
        assertEquals(3, PredictCalls.tableRows(PredictRequest.newBuilder().setColumns(FeatureColumns.newBuilder()
                .addColumns(texts("c", "a", "b", "c"))).build()));
        assertEquals(2, PredictCalls.tableRows(PredictRequest.newBuilder().setX(EncodedMatrix.newBuilder().setWidth(2)
                .addValues(1).addValues(2).addValues(3).addValues(4)).build()));
    }

    @Test
    void packedPredictionsCarryEveryRowInOrder() {
        Predictions p = new Predictions(new double[] {1, 2}, new double[] {0.25, 4});
        PackedPredictions packed = ProtoMapper.packed(p, new GaussianIntervals(), 0.9);
        assertEquals(List.of(1.0, 2.0), packed.getMeanList());
        assertEquals(List.of(0.25, 4.0), packed.getVarianceList());
        for (int i = 0; i < 2; i++) {
            double half = new GaussianIntervals().halfWidth(p.variance()[i], 0.9);
            assertEquals(p.mean()[i] - half, packed.getLower(i), 1e-12);
            assertEquals(p.mean()[i] + half, packed.getUpper(i), 1e-12);
        }
    }
}
