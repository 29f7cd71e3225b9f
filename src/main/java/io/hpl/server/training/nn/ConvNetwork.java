package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.hpl.server.data.ImageInput;
import io.hpl.server.model.ConvLayer;
import io.hpl.server.model.ConvNet;
import java.util.ArrayList;
import java.util.List;

/**
 * f_θ for images: the rows (standardised, channel-major) are read as [B, C, H, W], run through
 * the backbone's layers, flattened into features, dropout in training, then the linear head.
 * Each {@link ConvLayer} record has one trainable counterpart here, so training and export stay
 * layer-for-layer the same.
 */
public final class ConvNetwork implements RegressorNetwork {
    /** PyTorch's batch norm momentum 0.1; DJL counts it the other way round (1 − momentum). */
    private static final float DJL_BATCH_NORM_MOMENTUM = 0.9f;

    private final ImageInput input;
    private final List<Layer> backbone = new ArrayList<>();
    private final Dense head;
    private final float dropout;

    ConvNetwork(NDManager manager, ConvNet initial, double dropout) {
        this.input = initial.input();
        for (ConvLayer layer : initial.backbone()) {
            backbone.add(layer(manager, layer));
        }
        this.head = Dense.of(manager, initial.head());
        this.dropout = (float) dropout;
    }

    @Override
    public NDArray features(NDArray x, boolean training) {
        NDArray h = x.reshape(x.getShape().get(0), input.channels(), input.height(), input.width());
        for (Layer layer : backbone) {
            h = layer.forward(h, training);
        }
        return RegressorNetwork.dropout(h.reshape(h.getShape().get(0), -1), dropout, training);
    }

    @Override
    public Dense head() {
        return head;
    }

    @Override
    public List<NDArray> backboneParameters() {
        List<NDArray> out = new ArrayList<>();
        backbone.forEach(l -> l.collect(out, true));
        return out;
    }

    @Override
    public List<NDArray> buffers() {
        List<NDArray> out = new ArrayList<>();
        backbone.forEach(l -> l.collect(out, false));
        return out;
    }

    @Override
    public ConvNet snapshot() {
        List<ConvLayer> layers = new ArrayList<>();
        backbone.forEach(l -> layers.add(l.snapshot()));
        return new ConvNet(input, layers, head.snapshot());
    }

    private static Layer layer(NDManager manager, ConvLayer record) {
        if (record instanceof ConvLayer.Conv2d c) {
            return new Conv(c, trainable(manager.create(c.weight(), new Shape(c.outputs(), c.inputs(), c.kernel(), c.kernel()))),
                    c.bias() == null ? null : trainable(manager.create(c.bias())));
        }
        if (record instanceof ConvLayer.BatchNorm2d b) {
            return new Norm(b, trainable(manager.create(b.gamma())), trainable(manager.create(b.beta())),
                    manager.create(b.runningMean()), manager.create(b.runningVar()));
        }
        if (record instanceof ConvLayer.Residual r) {
            List<Layer> main = new ArrayList<>();
            r.main().forEach(l -> main.add(layer(manager, l)));
            List<Layer> shortcut = new ArrayList<>();
            r.shortcut().forEach(l -> shortcut.add(layer(manager, l)));
            return new Residual(main, shortcut);
        }
        return new Stateless(record);
    }

    private static NDArray trainable(NDArray a) {
        a.setRequiresGradient(true);
        return a;
    }

    /** A trainable layer: forward, its arrays (parameters or buffers), and its weights back as a record. */
    private interface Layer {
        NDArray forward(NDArray x, boolean training);

        void collect(List<NDArray> out, boolean parameters);

        ConvLayer snapshot();
    }

    private record Conv(ConvLayer.Conv2d spec, NDArray weight, NDArray bias) implements Layer {
        @Override
        public NDArray forward(NDArray x, boolean training) {
            Shape stride = new Shape(spec.stride(), spec.stride());
            Shape padding = new Shape(spec.padding(), spec.padding());
            return Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), 1).singletonOrThrow();
        }

        @Override
        public void collect(List<NDArray> out, boolean parameters) {
            if (parameters) {
                out.add(weight);
                if (bias != null) {
                    out.add(bias);
                }
            }
        }

        @Override
        public ConvLayer snapshot() {
            return new ConvLayer.Conv2d(spec.inputs(), spec.outputs(), spec.kernel(), spec.stride(), spec.padding(),
                    weight.toFloatArray(), bias == null ? null : bias.toFloatArray());
        }
    }

    private record Norm(ConvLayer.BatchNorm2d spec, NDArray gamma, NDArray beta, NDArray runningMean, NDArray runningVar)
            implements Layer {
        @Override
        public NDArray forward(NDArray x, boolean training) {
            // Axis -1 is DJL's "PyTorch's own channel axis (1)"; train mode updates the running stats in place.
            return BatchNorm.batchNorm(x, runningMean, runningVar, gamma, beta, -1, DJL_BATCH_NORM_MOMENTUM,
                    spec.eps(), training).singletonOrThrow();
        }

        @Override
        public void collect(List<NDArray> out, boolean parameters) {
            if (parameters) {
                out.add(gamma);
                out.add(beta);
            } else {
                out.add(runningMean);
                out.add(runningVar);
            }
        }

        @Override
        public ConvLayer snapshot() {
            return new ConvLayer.BatchNorm2d(spec.channels(), gamma.toFloatArray(), beta.toFloatArray(),
                    runningMean.toFloatArray(), runningVar.toFloatArray(), spec.eps());
        }
    }

    private record Residual(List<Layer> main, List<Layer> shortcut) implements Layer {
        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray a = x;
            for (Layer l : main) {
                a = l.forward(a, training);
            }
            NDArray b = x;
            for (Layer l : shortcut) {
                b = l.forward(b, training);
            }
            return Activation.relu(a.add(b));
        }

        @Override
        public void collect(List<NDArray> out, boolean parameters) {
            main.forEach(l -> l.collect(out, parameters));
            shortcut.forEach(l -> l.collect(out, parameters));
        }

        @Override
        public ConvLayer snapshot() {
            List<ConvLayer> m = new ArrayList<>();
            main.forEach(l -> m.add(l.snapshot()));
            List<ConvLayer> s = new ArrayList<>();
            shortcut.forEach(l -> s.add(l.snapshot()));
            return new ConvLayer.Residual(m, s);
        }
    }

    /** ReLU and pooling: no weights. */
    private record Stateless(ConvLayer spec) implements Layer {
        @Override
        public NDArray forward(NDArray x, boolean training) {
            if (spec instanceof ConvLayer.Relu) {
                return Activation.relu(x);
            }
            if (spec instanceof ConvLayer.MaxPool2d p) {
                return Pool.maxPool2d(x, new Shape(p.kernel(), p.kernel()), new Shape(p.stride(), p.stride()),
                        new Shape(p.padding(), p.padding()), false);
            }
            if (spec instanceof ConvLayer.GlobalAveragePool) {
                return Pool.globalAvgPool2d(x).reshape(x.getShape().get(0), x.getShape().get(1), 1, 1);
            }
            throw new IllegalStateException("no forward for " + spec);
        }

        @Override
        public void collect(List<NDArray> out, boolean parameters) {
        }

        @Override
        public ConvLayer snapshot() {
            return spec;
        }
    }
}
