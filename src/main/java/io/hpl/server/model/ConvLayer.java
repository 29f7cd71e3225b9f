package io.hpl.server.model;

import java.util.List;

/**
 * One layer of a {@link ConvNet}'s backbone, in inference form, with weights in PyTorch's layouts.
 * Every layer maps a [N, C, H, W] tensor to another; {@link #outputShape} says to what.
 */
public sealed interface ConvLayer {

    /** [C, H, W] after this layer, given [C, H, W] before it. */
    int[] outputShape(int[] input);

    /** 2-D convolution, square kernel; weight [out][in][k][k]; bias [out] or null (before a batch norm). */
    record Conv2d(int inputs, int outputs, int kernel, int stride, int padding, float[] weight, float[] bias)
            implements ConvLayer {
        public Conv2d {
            if (weight.length != outputs * inputs * kernel * kernel || (bias != null && bias.length != outputs)) {
                throw new IllegalArgumentException("conv " + inputs + "->" + outputs + " k" + kernel + " has "
                        + weight.length + " weights" + (bias == null ? "" : " and " + bias.length + " biases"));
            }
        }

        @Override
        public int[] outputShape(int[] in) {
            if (in[0] != inputs) {
                throw new IllegalArgumentException("conv expects " + inputs + " channels, got " + in[0]);
            }
            return new int[] {outputs, (in[1] + 2 * padding - kernel) / stride + 1, (in[2] + 2 * padding - kernel) / stride + 1};
        }
    }

    /** Batch normalisation with its running statistics: y = γ·(x − mean)/√(var + eps) + β per channel. */
    record BatchNorm2d(int channels, float[] gamma, float[] beta, float[] runningMean, float[] runningVar, float eps)
            implements ConvLayer {
        public BatchNorm2d {
            if (gamma.length != channels || beta.length != channels || runningMean.length != channels
                    || runningVar.length != channels) {
                throw new IllegalArgumentException("batch norm of " + channels + " channels needs " + channels + " values each");
            }
        }

        @Override
        public int[] outputShape(int[] in) {
            return in.clone();
        }
    }

    record Relu() implements ConvLayer {
        @Override
        public int[] outputShape(int[] in) {
            return in.clone();
        }
    }

    /** Max pooling, square window, no padding, floor mode. */
    record MaxPool2d(int kernel, int stride, int padding) implements ConvLayer {
        @Override
        public int[] outputShape(int[] in) {
            return new int[] {in[0], (in[1] + 2 * padding - kernel) / stride + 1, (in[2] + 2 * padding - kernel) / stride + 1};
        }
    }

    /** Mean over H and W, keeping [N, C, 1, 1]. */
    record GlobalAveragePool() implements ConvLayer {
        @Override
        public int[] outputShape(int[] in) {
            return new int[] {in[0], 1, 1};
        }
    }

    /** ReLU(main(x) + shortcut(x)); an empty shortcut is the identity (a ResNet basic block). */
    record Residual(List<ConvLayer> main, List<ConvLayer> shortcut) implements ConvLayer {
        public Residual {
            main = List.copyOf(main);
            shortcut = List.copyOf(shortcut);
        }

        @Override
        public int[] outputShape(int[] in) {
            int[] a = ConvNet.shapeAfter(main, in);
            int[] b = ConvNet.shapeAfter(shortcut, in);
            if (!java.util.Arrays.equals(a, b)) {
                throw new IllegalArgumentException("residual branches disagree: " + java.util.Arrays.toString(a)
                        + " vs " + java.util.Arrays.toString(b));
            }
            return a;
        }
    }
}
