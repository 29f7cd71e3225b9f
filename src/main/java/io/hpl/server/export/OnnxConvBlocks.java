package io.hpl.server.export;

import static io.hpl.server.export.OnnxGraphBuilder.floatAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.intAttribute;
import static io.hpl.server.export.OnnxGraphBuilder.intsAttribute;

import io.hpl.server.data.ImageInput;
import io.hpl.server.model.ConvLayer;
import io.hpl.server.model.ConvLayer.BatchNorm2d;
import io.hpl.server.model.ConvLayer.Conv2d;
import io.hpl.server.model.ConvLayer.GlobalAveragePool;
import io.hpl.server.model.ConvLayer.MaxPool2d;
import io.hpl.server.model.ConvLayer.Relu;
import io.hpl.server.model.ConvLayer.Residual;
import io.hpl.server.model.ConvNet;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ConvNet} as ONNX nodes, one op per {@link ConvLayer} record, in the order
 * {@code ConvNetwork} runs them in training. Weights keep PyTorch's layouts, which are ONNX's too
 * (Conv W [out, in, k, k]; BatchNormalization per channel).
 */
final class OnnxConvBlocks {
    private OnnxConvBlocks() {
    }

    /** Standardised rows [M, C·H·W] → [M, 1]: image view, backbone, Flatten (C·H·W order), linear head. */
    static String appendConvNet(OnnxGraphBuilder b, String prefix, ConvNet net, String input) {
        String h = appendToImage(b, prefix, net.input(), input);
        h = appendLayers(b, prefix, net.backbone(), h);
        String features = b.node("Flatten", List.of(h), prefix + "_features", intAttribute("axis", 1));
        return OnnxBlocks.appendDense(b, prefix + "_head", net.head(), features);
    }

    /** Flat channel-major rows [M, C·H·W] → [M, C, H, W]. */
    static String appendToImage(OnnxGraphBuilder b, String prefix, ImageInput image, String input) {
        String shape = b.int64Initializer(prefix + "_image_shape",
                new long[] {-1, image.channels(), image.height(), image.width()}, 4);
        return b.node("Reshape", List.of(input, shape), prefix + "_image");
    }

    /** Images [M, C, H, W] → flat rows [M, C·H·W], channel-major like the training rows. */
    static String appendToRows(OnnxGraphBuilder b, String prefix, ImageInput image, String input) {
        String shape = b.int64Initializer(prefix + "_rows_shape", new long[] {-1, image.values()}, 2);
        return b.node("Reshape", List.of(input, shape), prefix + "_rows");
    }

    private static String appendLayers(OnnxGraphBuilder b, String prefix, List<ConvLayer> layers, String input) {
        String h = input;
        for (int i = 0; i < layers.size(); i++) {
            h = appendLayer(b, prefix + "_" + i, layers.get(i), h);
        }
        return h;
    }

    /** No pattern switch in Java 17: an instanceof chain over the sealed ConvLayer variants. */
    private static String appendLayer(OnnxGraphBuilder b, String name, ConvLayer layer, String input) {
        if (layer instanceof Conv2d c) {
            return appendConv(b, name, c, input);
        }
        if (layer instanceof BatchNorm2d n) {
            long ch = n.channels();
            List<String> inputs = List.of(input,
                    b.floatInitializer(name + "_bn_gamma", n.gamma(), ch),
                    b.floatInitializer(name + "_bn_beta", n.beta(), ch),
                    b.floatInitializer(name + "_bn_mean", n.runningMean(), ch),
                    b.floatInitializer(name + "_bn_var", n.runningVar(), ch));
            // Inference form (training_mode 0, the default): the running statistics are used.
            return b.node("BatchNormalization", inputs, name + "_bn", floatAttribute("epsilon", n.eps()));
        }
        if (layer instanceof Relu) {
            return b.node("Relu", List.of(input), name + "_relu");
        }
        if (layer instanceof MaxPool2d p) {
            return b.node("MaxPool", List.of(input), name + "_maxpool",
                    intsAttribute("kernel_shape", p.kernel(), p.kernel()),
                    intsAttribute("strides", p.stride(), p.stride()),
                    intsAttribute("pads", p.padding(), p.padding(), p.padding(), p.padding()));
        }
        if (layer instanceof GlobalAveragePool) {
            return b.node("GlobalAveragePool", List.of(input), name + "_gap");
        }
        if (layer instanceof Residual r) {
            String main = appendLayers(b, name + "_main", r.main(), input);
            String shortcut = appendLayers(b, name + "_shortcut", r.shortcut(), input); // empty: the input itself
            String sum = b.node("Add", List.of(main, shortcut), name + "_sum");
            return b.node("Relu", List.of(sum), name + "_relu");
        }
        throw new IllegalArgumentException("no ONNX export for conv layer " + layer);
    }

    /** Conv with PyTorch's symmetric padding; the bias input only when the layer has one (not before a batch norm). */
    private static String appendConv(OnnxGraphBuilder b, String name, Conv2d c, String input) {
        List<String> inputs = new ArrayList<>(List.of(input,
                b.floatInitializer(name + "_conv_weight", c.weight(), c.outputs(), c.inputs(), c.kernel(), c.kernel())));
        if (c.bias() != null) {
            inputs.add(b.floatInitializer(name + "_conv_bias", c.bias(), c.outputs()));
        }
        return b.node("Conv", inputs, name + "_conv",
                intsAttribute("kernel_shape", c.kernel(), c.kernel()),
                intsAttribute("strides", c.stride(), c.stride()),
                intsAttribute("pads", c.padding(), c.padding(), c.padding(), c.padding()));
    }
}
