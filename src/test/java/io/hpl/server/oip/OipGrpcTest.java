package io.hpl.server.oip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceServiceGrpc;
import inference.OpenInferenceGrpc.InferParameter;
import inference.OpenInferenceGrpc.InferTensorContents;
import inference.OpenInferenceGrpc.ModelInferRequest;
import inference.OpenInferenceGrpc.ModelInferRequest.InferInputTensor;
import inference.OpenInferenceGrpc.ModelInferResponse;
import inference.OpenInferenceGrpc.ModelMetadataRequest;
import inference.OpenInferenceGrpc.ModelMetadataResponse;
import inference.OpenInferenceGrpc.ModelReadyRequest;
import inference.OpenInferenceGrpc.ServerLiveRequest;
import inference.OpenInferenceGrpc.ServerMetadataRequest;
import inference.OpenInferenceGrpc.ServerReadyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.health.Engines;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KServe's GRPCInferenceService on our gRPC server, called with a stub generated from the published
 * proto: health, metadata, readiness, inference in both tensor forms, and every bad input as a status
 * that names what to fix.
 */
@QuarkusTest
class OipGrpcTest {
    @GrpcClient("regression")
    RegressionService client;

    @GrpcClient("regression")
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub oip;

    @Inject
    Engines engines;

    @BeforeEach
    void models() throws InterruptedException {
        OipModels.ensureTrained(client, engines);
    }

    static InferInputTensor numbers(String name, double... values) {
        return InferInputTensor.newBuilder().setName(name).setDatatype("FP64").addShape(values.length)
                .setContents(InferTensorContents.newBuilder().addAllFp64Contents(
                        java.util.Arrays.stream(values).boxed().toList())).build();
    }

    static InferInputTensor texts(String name, String... values) {
        return InferInputTensor.newBuilder().setName(name).setDatatype("BYTES").addShape(values.length)
                .setContents(InferTensorContents.newBuilder().addAllBytesContents(
                        java.util.Arrays.stream(values).map(ByteString::copyFromUtf8).toList())).build();
    }

    static ModelInferRequest.Builder twoRows(String model) {
        return ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(numbers("a", 0.3, -1.2)).addInputs(numbers("b", 101.5, 95))
                .addInputs(texts("c", "red", "blue"));
    }

    @Test
    void serverHealthAndMetadata() {
        assertTrue(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertFalse(oip.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName().isEmpty());
    }

    @Test
    void modelReadyIsTrueForAStoredVersionAndNotFoundOtherwise() {
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName(OipModels.MLP).build()).getReady());
        assertStatus(Status.Code.NOT_FOUND, () -> oip.modelReady(ModelReadyRequest.newBuilder().setName("no-such-model").build()),
                "no-such-model");
        assertStatus(Status.Code.NOT_FOUND, () -> oip.modelReady(ModelReadyRequest.newBuilder().setName(OipModels.MLP)
                .setVersion("999").build()), "999", "versions");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelReady(ModelReadyRequest.newBuilder().setName(OipModels.MLP)
                .setVersion("v1").build()), "'v1'", "version number");
    }

    @Test
    void modelMetadataListsOneInputPerColumnAndTheOutputs() {
        ModelMetadataResponse m = oip.modelMetadata(ModelMetadataRequest.newBuilder().setName(OipModels.MLP).build());
        assertEquals(OipModels.MLP, m.getName());
        assertFalse(m.getVersionsList().isEmpty());
        assertEquals(List.of("a:FP64", "b:FP64", "c:BYTES"),
                m.getInputsList().stream().map(t -> t.getName() + ":" + t.getDatatype()).toList());
        assertEquals(List.of(-1L), m.getInputs(0).getShapeList());
        assertEquals(List.of("mean", "variance", "lower", "upper"),
                m.getOutputsList().stream().map(ModelMetadataResponse.TensorMetadata::getName).toList());
        assertTrue(m.getPropertiesMap().get("encoded_input").startsWith("x: FP32 [-1, 5]"), m.getPropertiesMap().toString());
    }

    @Test
    void inferAnswersMeanAndVarianceAndBoundsWhenAskedWith() {
        ModelInferResponse r = oip.modelInfer(twoRows(OipModels.MLP).setId("req-7").build());
        assertEquals(OipModels.MLP, r.getModelName());
        assertFalse(r.getModelVersion().isEmpty());
        assertEquals("req-7", r.getId());
        assertEquals(List.of("mean", "variance"), r.getOutputsList().stream().map(o -> o.getName()).toList());
        assertEquals(List.of(2L), r.getOutputs(0).getShapeList());
        assertEquals("FP32", r.getOutputs(0).getDatatype());
        assertTrue(r.getOutputs(1).getContents().getFp32Contents(0) > 0);

        ModelInferResponse bounds = oip.modelInfer(twoRows(OipModels.MLP)
                .putParameters("interval_level", InferParameter.newBuilder().setDoubleParam(0.5).build()).build());
        assertEquals(4, bounds.getOutputsCount());
        for (int i = 0; i < 2; i++) {
            float mean = bounds.getOutputs(0).getContents().getFp32Contents(i);
            assertTrue(bounds.getOutputs(2).getContents().getFp32Contents(i) < mean);
            assertTrue(bounds.getOutputs(3).getContents().getFp32Contents(i) > mean);
        }
        ModelInferResponse onlyUpper = oip.modelInfer(twoRows(OipModels.MLP).addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("upper")).build());
        assertEquals(List.of("upper"), onlyUpper.getOutputsList().stream().map(o -> o.getName()).toList());
    }

    @Test
    void rawInputContentsAreAnsweredWithRawOutputContents() {
        ModelInferResponse r = oip.modelInfer(OipParityTest.raw(twoRows(OipModels.MLP).build()));
        assertEquals(2, r.getRawOutputContentsCount());
        assertEquals(8, r.getRawOutputContents(0).size()); // two FP32 means
        assertFalse(r.getOutputs(0).hasContents());
    }

    @Test
    void badInputsAreInvalidArgumentsThatSayWhatToFix() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .setInputs(0, numbers("a", 0.3, -1.2).toBuilder().setDatatype("BOOL")).build()), "'a'", "'BOOL'", "FP32");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .setInputs(0, numbers("a", 0.3, -1.2).toBuilder().clearShape().addShape(1).addShape(2)).build()),
                "'a'", "[1, 2]", "[rows]");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .setInputs(0, numbers("a", 0.3, -1.2).toBuilder().clearShape().addShape(3)).build()),
                "'a'", "[3]", "carries 2");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .addInputs(numbers("colour", 1, 2)).build()), "unknown column 'colour'", "[a, b, c]");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(ModelInferRequest.newBuilder()
                .setModelName(OipModels.MLP).addInputs(numbers("a", 0.3)).addInputs(texts("c", "red")).build()),
                "no values for column 'b'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .setInputs(2, texts("c", "red", "purple")).build()), "row 1", "'c'", "unknown category 'purple'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .setInputs(1, numbers("b", 101.5)).build()), "'b' has 1 rows", "'a' has 2");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .addInputs(encoded(1, 3)).build()), "'x'", "alone");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(ModelInferRequest.newBuilder()
                .setModelName(OipModels.MLP).addInputs(encoded(2, 3)).build()), "x has 3 values per row", "takes 5");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .putParameters("interval_level", InferParameter.newBuilder().setDoubleParam(1.5).build()).build()),
                "interval_level", "1.5");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP).addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("median")).build()),
                "'median'", "mean");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(twoRows(OipModels.MLP)
                .addRawInputContents(ByteString.copyFrom(new byte[16])).build()), "1 raw_input_contents for 3 inputs");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> oip.modelInfer(ModelInferRequest.newBuilder()
                .setModelName(OipModels.MLP).build()), "no inputs");
        assertStatus(Status.Code.NOT_FOUND, () -> oip.modelInfer(twoRows("no-such-model").build()), "no-such-model");
    }

    @Test
    void tooManyRowsIsTheMaxRowsLimit() {
        double[] many = IntStream.range(0, 1001).mapToDouble(i -> 0.1).toArray(); // %test limit: 1000
        String[] reds = IntStream.range(0, 1001).mapToObj(i -> "red").toArray(String[]::new);
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> oip.modelInfer(ModelInferRequest.newBuilder()
                .setModelName(OipModels.MLP).addInputs(numbers("a", many)).addInputs(numbers("b", many))
                .addInputs(texts("c", reds)).build()), "1001 rows", "hpl.predict.max-rows");
    }

    /** x as FP32 [rows, width] of zeros. */
    static InferInputTensor encoded(int rows, int width) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (int i = 0; i < rows * width; i++) {
            c.addFp32Contents(0f);
        }
        return InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(rows).addShape(width)
                .setContents(c).build();
    }

    static void assertStatus(Status.Code code, Supplier<?> call, String... words) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = String.valueOf(e.getStatus().getDescription());
        for (String w : words) {
            assertTrue(description.contains(w), "'" + description + "' should mention '" + w + "'");
        }
    }
}
