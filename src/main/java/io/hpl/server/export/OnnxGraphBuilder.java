package io.hpl.server.export;

import com.google.protobuf.ByteString;
import io.hpl.server.export.onnx.AttributeProto;
import io.hpl.server.export.onnx.GraphProto;
import io.hpl.server.export.onnx.NodeProto;
import io.hpl.server.export.onnx.TensorProto;
import io.hpl.server.export.onnx.TensorShapeProto;
import io.hpl.server.export.onnx.TypeProto;
import io.hpl.server.export.onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Builds one ONNX graph: initializers, nodes, inputs and outputs, with value names that are
 * unique in the graph. Helpers that add a block of nodes take a builder and an input value name
 * and return the name of the value they produce, so blocks chain without knowing each other.
 */
public final class OnnxGraphBuilder {
    /** The domain of ONNX's classical machine-learning operators (TreeEnsembleRegressor). */
    public static final String ML_DOMAIN = "ai.onnx.ml";
    private final GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();
    private final Map<float[], Map<String, String>> floatInitializers = new IdentityHashMap<>();

    public OnnxGraphBuilder(String graphName) {
        graph = GraphProto.newBuilder().setName(graphName);
    }

    /** {@code base} if still free, else {@code base_1}, {@code base_2}, ...; the name is then taken. */
    public String uniqueName(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** A graph input of element type float; a {@link String} dim is symbolic, a {@link Number} fixed. */
    public String floatInput(String name, Object... dims) {
        reserve(name);
        graph.addInput(valueInfo(name, dims));
        return name;
    }

    /** Declares an existing value (produced by a node named so) as a float graph output. */
    public void floatOutput(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
    }

    /**
     * A float constant, stored as little-endian raw_data as ONNX requires. The same array instance
     * with the same dims is stored once: a block that runs the regressor a second time (σ² over
     * strong views) then shares its weights instead of doubling the file.
     */
    public String floatInitializer(String base, float[] values, long... dims) {
        String key = Arrays.toString(dims);
        Map<String, String> byDims = floatInitializers.computeIfAbsent(values, v -> new HashMap<>());
        String existing = byDims.get(key);
        if (existing != null) {
            return existing;
        }
        String name = uniqueName(base);
        graph.addInitializer(floatTensor(name, values, dims));
        byDims.put(key, name);
        return name;
    }

    /** A float constant of rank 0, for element-wise scaling by a scalar. */
    public String floatScalar(String base, float value) {
        return floatInitializer(base, new float[] {value});
    }

    public String int64Initializer(String base, long[] values, long... dims) {
        String name = uniqueName(base);
        ByteBuffer raw = ByteBuffer.allocate(Long.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addAllDims(boxed(dims))
                .setRawData(ByteString.copyFrom(raw.array())));
        return name;
    }

    /** Adds a one-output node whose output gets a fresh name derived from {@code outputBase}. */
    public String node(String opType, List<String> inputs, String outputBase, AttributeProto... attributes) {
        return addNode(opType, inputs, uniqueName(outputBase), attributes);
    }

    /** Adds a one-output node whose output is exactly {@code output} (e.g. a graph output name). */
    public String namedNode(String opType, List<String> inputs, String output, AttributeProto... attributes) {
        reserve(output);
        return addNode(opType, inputs, output, attributes);
    }

    /** A one-output node of the ai.onnx.ml domain (tree ensembles), output name derived from {@code outputBase}. */
    public String mlNode(String opType, List<String> inputs, String outputBase, AttributeProto... attributes) {
        return addNode(ML_DOMAIN, opType, inputs, uniqueName(outputBase), attributes);
    }

    private String addNode(String opType, List<String> inputs, String output, AttributeProto... attributes) {
        return addNode("", opType, inputs, output, attributes);
    }

    private String addNode(String domain, String opType, List<String> inputs, String output, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder()
                .setName(output)
                .setDomain(domain)
                .setOpType(opType)
                .addAllInput(inputs)
                .addOutput(output)
                .addAllAttribute(List.of(attributes)));
        return output;
    }

    public GraphProto build() {
        return graph.build();
    }

    public static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    public static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    public static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto floatsAttribute(String name, float[] values) {
        AttributeProto.Builder a = AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        return a.build();
    }

    public static AttributeProto stringAttribute(String name, String value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value))
                .build();
    }

    public static AttributeProto stringsAttribute(String name, List<String> values) {
        AttributeProto.Builder a = AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRINGS);
        values.forEach(v -> a.addStrings(ByteString.copyFromUtf8(v)));
        return a.build();
    }

    public static AttributeProto tensorAttribute(String name, TensorProto value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.TENSOR)
                .setT(value)
                .build();
    }

    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + count + " elements");
        }
        ByteBuffer raw = ByteBuffer.allocate(Float.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(boxed(dims))
                .setRawData(ByteString.copyFrom(raw.array()))
                .build();
    }

    private void reserve(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("value name already used: " + name);
        }
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String param) {
                dim.setDimParam(param);
            } else if (d instanceof Number value) {
                dim.setDimValue(value.longValue());
            } else {
                throw new IllegalArgumentException("dimension must be a String or a Number: " + d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape)))
                .build();
    }

    private static List<Long> boxed(long[] dims) {
        return Arrays.stream(dims).boxed().toList();
    }
}
