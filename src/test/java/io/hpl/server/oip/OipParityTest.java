package io.hpl.server.oip;

import static io.hpl.server.api.ApiTestSupport.TIMEOUT;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceServiceGrpc;
import inference.OpenInferenceGrpc.InferTensorContents;
import inference.OpenInferenceGrpc.ModelInferRequest;
import inference.OpenInferenceGrpc.ModelInferRequest.InferInputTensor;
import inference.OpenInferenceGrpc.ModelInferResponse;
import io.hpl.server.api.ApiTestSupport;
import io.hpl.server.api.v1.ColumnValues;
import io.hpl.server.api.v1.EncodedMatrix;
import io.hpl.server.api.v1.FeatureColumns;
import io.hpl.server.api.v1.PackedPredictions;
import io.hpl.server.api.v1.Prediction;
import io.hpl.server.api.v1.PredictStreamRequest;
import io.hpl.server.api.v1.PredictStreamResponse;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.data.CellValue;
import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.health.Engines;
import io.hpl.server.store.ModelStore;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same rows give the same mean and σ² (to 1e-6, relative) through every request path: Predict
 * (rows as Structs), OIP gRPC with one tensor per column, with the encoded x tensor, with
 * raw_input_contents, OIP REST (JSON), and hpl.v1's columns and x forms, unary and over PredictStream,
 * for a SUPERVISED MLP and a GBDT.
 */
@QuarkusTest
class OipParityTest {
    private static final int ROWS = 25;
    private static final String[] COLOURS = {"red", "green", "blue"};

    @GrpcClient("regression")
    RegressionService client;

    @GrpcClient("regression")
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip;

    @Inject
    Engines engines;

    @Inject
    ModelStore models;

    @ParameterizedTest
    @ValueSource(strings = {OipModels.MLP, OipModels.GBDT})
    void everyPathGivesTheSameMeanAndVariance(String model) throws InterruptedException {
        OipModels.ensureTrained(client, engines);
        Random random = new Random(42);
        double[] a = new double[ROWS];
        double[] b = new double[ROWS];
        String[] c = new String[ROWS];
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            a[i] = random.nextGaussian();
            b[i] = 100 + 10 * random.nextGaussian();
            c[i] = COLOURS[random.nextInt(3)];
            rows.add(Map.of("a", a[i], "b", b[i], "c", c[i]));
        }
        PredictResponse predicted = client.predict(PredictRequest.newBuilder().setModelName(model)
                .addAllRows(rows.stream().map(ApiTestSupport::row).toList()).build()).await().atMost(TIMEOUT);
        double[] mean = predicted.getPredictionsList().stream().mapToDouble(Prediction::getMean).toArray();
        double[] variance = predicted.getPredictionsList().stream().mapToDouble(Prediction::getVariance).toArray();

        ModelInferRequest columns = ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(OipGrpcTest.numbers("a", a)).addInputs(OipGrpcTest.numbers("b", b))
                .addInputs(OipGrpcTest.texts("c", c)).build();
        assertSame("OIP gRPC, column tensors", mean, variance, fromContents(oip.modelInfer(columns)));
        assertSame("OIP gRPC, raw_input_contents", mean, variance, fromRaw(oip.modelInfer(raw(columns))));
        assertSame("OIP gRPC, x tensor", mean, variance, fromContents(oip.modelInfer(ModelInferRequest.newBuilder()
                .setModelName(model).addInputs(encodedX(model, rows)).build())));
        assertSame("OIP REST", mean, variance, rest(model, a, b, c));

        // hpl.v1's own fast forms: columns (a as float32, b as doubles, c as texts) and x, unary and streamed
        float[] aFloats = new float[ROWS];
        for (int i = 0; i < ROWS; i++) {
            aFloats[i] = (float) a[i]; // what the model computes with anyway
        }
        FeatureColumns.Builder columnsForm = FeatureColumns.newBuilder();
        ColumnValues.Builder aColumn = ColumnValues.newBuilder().setName("a");
        for (float v : aFloats) {
            aColumn.addFloats(v);
        }
        columnsForm.addColumns(aColumn).addColumns(ColumnValues.newBuilder().setName("b").addAllDoubles(
                java.util.Arrays.stream(b).boxed().toList())).addColumns(ColumnValues.newBuilder().setName("c")
                .addAllTexts(List.of(c)));
        InferTensorContents encoded = encodedX(model, rows).getContents();
        EncodedMatrix x = EncodedMatrix.newBuilder().setWidth(encoded.getFp32ContentsCount() / ROWS)
                .addAllValues(encoded.getFp32ContentsList()).build();
        PredictRequest columnsRequest = PredictRequest.newBuilder().setModelName(model).setColumns(columnsForm).build();
        PredictRequest xRequest = PredictRequest.newBuilder().setModelName(model).setX(x).build();
        assertPacked("Predict, columns", predicted, client.predict(columnsRequest).await().atMost(TIMEOUT));
        assertPacked("Predict, x", predicted, client.predict(xRequest).await().atMost(TIMEOUT));
        List<PredictStreamResponse> streamed = client.predictStream(io.smallrye.mutiny.Multi.createFrom().items(
                PredictStreamRequest.newBuilder().setRequestId("columns").setRequest(columnsRequest).build(),
                PredictStreamRequest.newBuilder().setRequestId("x").setRequest(xRequest).build(),
                PredictStreamRequest.newBuilder().setRequestId("rows").setRequest(PredictRequest.newBuilder()
                        .setModelName(model).addAllRows(rows.stream().map(ApiTestSupport::row).toList())).build()))
                .collect().asList().await().atMost(TIMEOUT);
        assertEquals(List.of("columns", "x", "rows"), streamed.stream().map(PredictStreamResponse::getRequestId).toList());
        assertPacked("PredictStream, columns", predicted, streamed.get(0).getResponse());
        assertPacked("PredictStream, x", predicted, streamed.get(1).getResponse());
        assertEquals(predicted.getPredictionsList(), streamed.get(2).getResponse().getPredictionsList(), "PredictStream, rows");
    }

    /** A packed answer: the row form's mean, σ² and interval, row by row (to 1e-6, relative). */
    private static void assertPacked(String path, PredictResponse rows, PredictResponse packed) {
        assertEquals(0, packed.getPredictionsCount(), path + ": packed, not a message per row");
        assertEquals(rows.getVersion(), packed.getVersion(), path);
        PackedPredictions p = packed.getPacked();
        assertEquals(rows.getPredictionsCount(), p.getMeanCount(), path + ": rows");
        for (int i = 0; i < rows.getPredictionsCount(); i++) {
            Prediction expected = rows.getPredictions(i);
            assertClose(path + ", row " + i + ", mean", expected.getMean(), p.getMean(i));
            assertClose(path + ", row " + i + ", variance", expected.getVariance(), p.getVariance(i));
            assertClose(path + ", row " + i + ", lower", expected.getLower(), p.getLower(i));
            assertClose(path + ", row " + i + ", upper", expected.getUpper(), p.getUpper(i));
        }
    }

    /** The rows encoded by the model's own schema, as a client holding encoded features would send them. */
    private InferInputTensor encodedX(String model, List<Map<String, Object>> rows) {
        FeatureEncoder encoder = new FeatureEncoder(models.get(model, 0).schema());
        InferTensorContents.Builder values = InferTensorContents.newBuilder();
        int width = 0;
        for (Map<String, Object> row : rows) {
            float[] x = encoder.encodeRow("row", column -> row.get(column) instanceof Number n
                    ? new CellValue.Number(n.doubleValue()) : CellValue.text((String) row.get(column)));
            width = x.length;
            for (float v : x) {
                values.addFp32Contents(v);
            }
        }
        return InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(rows.size()).addShape(width)
                .setContents(values).build();
    }

    private static double[][] rest(String model, double[] a, double[] b, String[] c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("inputs", List.of(
                Map.of("name", "a", "datatype", "FP64", "shape", List.of(ROWS), "data", a),
                Map.of("name", "b", "datatype", "FP64", "shape", List.of(ROWS, 1), "data", b),
                Map.of("name", "c", "datatype", "BYTES", "shape", List.of(ROWS), "data", c)));
        JsonPath answer = given().contentType("application/json").body(body)
                .post("/v2/models/" + model + "/infer").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("mean", "variance"), answer.getList("outputs.name"));
        return new double[][] {toDoubles(answer.getList("outputs[0].data")), toDoubles(answer.getList("outputs[1].data"))};
    }

    private static double[] toDoubles(List<Object> values) { // JSON numbers, as whatever Number type JsonPath picks
        return values.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    private static double[][] fromContents(ModelInferResponse r) {
        return new double[][] {floats(r.getOutputs(0).getContents().getFp32ContentsList()),
                floats(r.getOutputs(1).getContents().getFp32ContentsList())};
    }

    private static double[] floats(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).toArray();
    }

    private static double[][] fromRaw(ModelInferResponse r) {
        double[][] out = new double[2][];
        for (int k = 0; k < 2; k++) {
            ByteBuffer buffer = r.getRawOutputContents(k).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            out[k] = new double[buffer.remaining() / 4];
            for (int i = 0; i < out[k].length; i++) {
                out[k][i] = buffer.getFloat();
            }
        }
        return out;
    }

    /** The same request with every input's contents moved to raw_input_contents, as Triton's clients send it. */
    static ModelInferRequest raw(ModelInferRequest request) {
        ModelInferRequest.Builder b = request.toBuilder().clearInputs();
        for (InferInputTensor t : request.getInputsList()) {
            InferTensorContents c = t.getContents();
            ByteBuffer out;
            switch (t.getDatatype()) {
                case "FP64" -> {
                    out = ByteBuffer.allocate(8 * c.getFp64ContentsCount()).order(ByteOrder.LITTLE_ENDIAN);
                    c.getFp64ContentsList().forEach(out::putDouble);
                }
                case "FP32" -> {
                    out = ByteBuffer.allocate(4 * c.getFp32ContentsCount()).order(ByteOrder.LITTLE_ENDIAN);
                    c.getFp32ContentsList().forEach(out::putFloat);
                }
                case "BYTES" -> {
                    int size = c.getBytesContentsList().stream().mapToInt(s -> 4 + s.size()).sum();
                    out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                    for (ByteString s : c.getBytesContentsList()) {
                        out.putInt(s.size()).put(s.toByteArray());
                    }
                }
                default -> throw new IllegalArgumentException(t.getDatatype());
            }
            b.addInputs(t.toBuilder().clearContents());
            b.addRawInputContents(ByteString.copyFrom(out.array()));
        }
        return b.build();
    }

    private static void assertSame(String path, double[] mean, double[] variance, double[][] got) {
        assertEquals(mean.length, got[0].length, path + ": rows");
        for (int i = 0; i < mean.length; i++) {
            assertClose(path + ", row " + i + ", mean", mean[i], got[0][i]);
            assertClose(path + ", row " + i + ", variance", variance[i], got[1][i]);
        }
    }

    private static void assertClose(String what, double expected, double actual) {
        double scale = Math.max(Math.abs(expected), 1e-12);
        assertTrue(Math.abs(expected - actual) <= 1e-6 * scale, what + ": expected " + expected + ", got " + actual);
    }
}
