package io.hpl.server.oip;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceService;
import inference.OpenInferenceGrpc.InferParameter;
import inference.OpenInferenceGrpc.InferTensorContents;
import inference.OpenInferenceGrpc.ModelInferRequest;
import inference.OpenInferenceGrpc.ModelInferResponse;
import inference.OpenInferenceGrpc.ModelMetadataRequest;
import inference.OpenInferenceGrpc.ModelMetadataResponse;
import inference.OpenInferenceGrpc.ModelReadyRequest;
import inference.OpenInferenceGrpc.ModelReadyResponse;
import inference.OpenInferenceGrpc.ServerLiveRequest;
import inference.OpenInferenceGrpc.ServerLiveResponse;
import inference.OpenInferenceGrpc.ServerMetadataRequest;
import inference.OpenInferenceGrpc.ServerMetadataResponse;
import inference.OpenInferenceGrpc.ServerReadyRequest;
import inference.OpenInferenceGrpc.ServerReadyResponse;
import io.hpl.server.api.BlockingCalls;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * KServe's {@code inference.GRPCInferenceService} (Open Inference Protocol v2) on the same gRPC server
 * as API v1: maps its messages to {@link OipInference} and back. Errors become statuses in
 * {@link io.hpl.server.api.GrpcErrors}, as for API v1.
 */
@GrpcService
public class OipGrpcService implements GRPCInferenceService {
    private final OipInference inference;
    private final ServerInfo server;

    public OipGrpcService(OipInference inference, ServerInfo server) {
        this.inference = inference;
        this.server = server;
    }

    @Override
    public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
        return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
        return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(inference.serverReady()).build());
    }

    @Override
    public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
        return Uni.createFrom().item(ServerMetadataResponse.newBuilder().setName(server.name())
                .setVersion(server.version()).build());
    }

    @Override
    public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
        return BlockingCalls.call(() -> ModelReadyResponse.newBuilder()
                .setReady(inference.modelReady(request.getName(), request.getVersion())).build());
    }

    @Override
    public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
        return BlockingCalls.call(() -> {
            ModelMetadata m = inference.metadata(request.getName(), request.getVersion());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(m.name())
                    .addAllVersions(m.versions()).setPlatform(m.platform()).putAllProperties(m.properties());
            m.inputs().forEach(t -> b.addInputs(spec(t)));
            m.outputs().forEach(t -> b.addOutputs(spec(t)));
            return b.build();
        });
    }

    private static ModelMetadataResponse.TensorMetadata spec(ModelMetadata.TensorSpec t) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(t.name()).setDatatype(t.datatype())
                .addAllShape(Arrays.stream(t.shape()).boxed().toList()).build();
    }

    @Override
    public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
        return BlockingCalls.call(() -> {
            boolean raw = request.getRawInputContentsCount() > 0;
            InferResult result = inference.infer(new InferRequest(request.getModelName(), request.getModelVersion(),
                    request.getId(), intervalLevel(request), inputs(request),
                    request.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList()));
            ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(result.modelName())
                    .setModelVersion(Integer.toString(result.version())).setId(result.id());
            for (InferResult.Output o : result.outputs()) {
                ModelInferResponse.InferOutputTensor.Builder t = ModelInferResponse.InferOutputTensor.newBuilder()
                        .setName(o.name()).setDatatype(TensorType.FP32.name()).addShape(o.values().length);
                if (raw) { // answer in the form asked in, as Triton does
                    b.addRawOutputContents(RawTensors.encode(o.values()));
                } else {
                    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                    for (float v : o.values()) {
                        contents.addFp32Contents(v);
                    }
                    t.setContents(contents);
                }
                b.addOutputs(t);
            }
            return b.build();
        });
    }

    /** The request parameter interval_level: a double (or an integer or number text, as some clients send). */
    private static Double intervalLevel(ModelInferRequest request) {
        InferParameter p = request.getParametersMap().get(OipInference.INTERVAL_LEVEL);
        if (p == null) {
            return null;
        }
        return switch (p.getParameterChoiceCase()) {
            case DOUBLE_PARAM -> p.getDoubleParam();
            case INT64_PARAM -> (double) p.getInt64Param();
            case STRING_PARAM -> parseLevel(p.getStringParam());
            default -> throw HplException.invalid("parameter " + OipInference.INTERVAL_LEVEL
                    + " must be a number strictly between 0 and 1 (double_param), got " + p.getParameterChoiceCase());
        };
    }

    static Double parseLevel(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw HplException.invalid("parameter " + OipInference.INTERVAL_LEVEL + " must be a number strictly between"
                    + " 0 and 1, got " + EchoedInput.quote(text));
        }
    }

    private static List<InputTensor> inputs(ModelInferRequest request) {
        int rawCount = request.getRawInputContentsCount();
        if (rawCount > 0 && rawCount != request.getInputsCount()) {
            throw HplException.invalid(rawCount + " raw_input_contents for " + request.getInputsCount()
                    + " inputs: give one per input, in the order of inputs");
        }
        List<InputTensor> inputs = new ArrayList<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor t = request.getInputs(i);
            TensorType type = TensorType.parse(t.getName(), t.getDatatype());
            long[] shape = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
            if (rawCount > 0) {
                if (t.hasContents()) {
                    throw HplException.invalid("input " + EchoedInput.quote(t.getName())
                            + " has contents while raw_input_contents is used: send every input one way");
                }
                inputs.add(RawTensors.decode(t.getName(), type, shape, request.getRawInputContents(i)));
            } else {
                inputs.add(fromContents(t.getName(), type, shape, t.getContents()));
            }
        }
        return inputs;
    }

    private static InputTensor fromContents(String name, TensorType type, long[] shape, InferTensorContents c) {
        if (type == TensorType.BYTES) {
            String[] texts = new String[c.getBytesContentsCount()];
            for (int i = 0; i < texts.length; i++) {
                texts[i] = RawTensors.utf8(name, c.getBytesContents(i).asReadOnlyByteBuffer());
            }
            return InputTensor.texts(name, shape, texts);
        }
        double[] values = new double[switch (type) {
            case FP32 -> c.getFp32ContentsCount();
            case FP64 -> c.getFp64ContentsCount();
            case INT32 -> c.getIntContentsCount();
            default -> c.getInt64ContentsCount();
        }];
        for (int i = 0; i < values.length; i++) { // by index: no boxed stream on the tensor path
            values[i] = switch (type) {
                case FP32 -> c.getFp32Contents(i);
                case FP64 -> c.getFp64Contents(i);
                case INT32 -> c.getIntContents(i);
                default -> c.getInt64Contents(i);
            };
        }
        return InputTensor.numbers(name, type, shape, values);
    }
}
