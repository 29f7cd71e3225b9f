package io.hpl.server.training.nn;

import io.hpl.server.data.ImageInput;
import io.hpl.server.model.ConvLayer;
import io.hpl.server.model.ConvLayer.BatchNorm2d;
import io.hpl.server.model.ConvLayer.Conv2d;
import io.hpl.server.model.ConvLayer.GlobalAveragePool;
import io.hpl.server.model.ConvLayer.MaxPool2d;
import io.hpl.server.model.ConvLayer.Relu;
import io.hpl.server.model.ConvLayer.Residual;
import io.hpl.server.model.ConvNet;
import io.hpl.server.model.DenseLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The convolutional backbones f_θ can have on images, as freshly initialised weights (random
 * init: no pretrained weights are reachable offline). The head is Linear(features → 1).
 */
public enum ImageBackbone {
    /**
     * The CPU default: three conv3×3–ReLU–maxpool2 blocks (8, 16, 32 channels), flattened.
     * Flattening keeps where things are in the image, which pooling to 1×1 would throw away
     * (rotation and position targets need it). PyTorch's default init.
     */
    SMALL_CNN {
        @Override
        public ConvNet create(ImageInput input, Random random) {
            List<ConvLayer> layers = new ArrayList<>();
            int channels = input.channels();
            int h = input.height();
            int w = input.width();
            for (int out : new int[] {8, 16, 32}) {
                layers.add(pytorchConv(channels, out, 3, 1, 1, random));
                layers.add(new Relu());
                if (h >= 2 && w >= 2) { // tiny images keep their last pixels
                    layers.add(new MaxPool2d(2, 2, 0));
                    h /= 2;
                    w /= 2;
                }
                channels = out;
            }
            return new ConvNet(input, layers, linear(channels * h * w, random));
        }
    },
    /**
     * ResNet-18 (He et al. 2016; torchvision's layout: basic blocks [2, 2, 2, 2], 64–512 channels,
     * batch norm, global average pooling) for GPU users. Images under 112 px get the CIFAR stem
     * (conv3×3 stride 1, no max pool) so that 28–64 px inputs are not pooled away; larger ones
     * the ImageNet stem (conv7×7 stride 2, max pool 3×3 stride 2). torchvision's init.
     */
    RESNET18 {
        @Override
        public ConvNet create(ImageInput input, Random random) {
            List<ConvLayer> layers = new ArrayList<>();
            if (Math.min(input.height(), input.width()) >= 112) {
                layers.add(kaimingConv(input.channels(), 64, 7, 2, 3, random));
                layers.add(batchNorm(64));
                layers.add(new Relu());
                layers.add(new MaxPool2d(3, 2, 1));
            } else {
                layers.add(kaimingConv(input.channels(), 64, 3, 1, 1, random));
                layers.add(batchNorm(64));
                layers.add(new Relu());
            }
            int channels = 64;
            int[] widths = {64, 128, 256, 512};
            for (int stage = 0; stage < widths.length; stage++) {
                for (int block = 0; block < 2; block++) {
                    int stride = stage > 0 && block == 0 ? 2 : 1;
                    layers.add(basicBlock(channels, widths[stage], stride, random));
                    channels = widths[stage];
                }
            }
            layers.add(new GlobalAveragePool());
            return new ConvNet(input, layers, linear(channels, random));
        }
    };

    /** A new network for images of {@code input}'s shape, weights drawn from {@code random}. */
    public abstract ConvNet create(ImageInput input, Random random);

    private static Residual basicBlock(int in, int out, int stride, Random random) {
        List<ConvLayer> main = List.of(
                kaimingConv(in, out, 3, stride, 1, random), batchNorm(out), new Relu(),
                kaimingConv(out, out, 3, 1, 1, random), batchNorm(out));
        List<ConvLayer> shortcut = stride == 1 && in == out
                ? List.of()
                : List.of(kaimingConv(in, out, 1, stride, 0, random), batchNorm(out));
        return new Residual(main, shortcut);
    }

    /** nn.Conv2d's default: weight and bias U(±1/√fan_in) (kaiming_uniform with a = √5). */
    private static Conv2d pytorchConv(int in, int out, int k, int stride, int padding, Random random) {
        double bound = 1.0 / Math.sqrt(in * k * k);
        return new Conv2d(in, out, k, stride, padding, uniform(out * in * k * k, bound, random), uniform(out, bound, random));
    }

    /** torchvision's ResNet init: kaiming_normal, fan_out, ReLU gain; no bias (batch norm follows). */
    private static Conv2d kaimingConv(int in, int out, int k, int stride, int padding, Random random) {
        double std = Math.sqrt(2.0 / (out * k * k));
        float[] w = new float[out * in * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return new Conv2d(in, out, k, stride, padding, w, null);
    }

    private static BatchNorm2d batchNorm(int channels) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new BatchNorm2d(channels, ones.clone(), new float[channels], new float[channels], ones.clone(), 1e-5f);
    }

    /** nn.Linear's default: U(±1/√in). */
    private static DenseLayer linear(int in, Random random) {
        double bound = 1.0 / Math.sqrt(in);
        return new DenseLayer(in, 1, uniform(in, bound, random), uniform(1, bound, random));
    }

    private static float[] uniform(int n, double bound, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }
}
