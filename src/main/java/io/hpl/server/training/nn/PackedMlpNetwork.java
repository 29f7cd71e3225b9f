package io.hpl.server.training.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.PackedLayer;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.PiecewiseLinearEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * f_θ for tabular rows as a {@link PackedMlp}: K member MLPs in one network, each layer one native
 * call for all members (a dense layer of K·w outputs first, then batched matmuls over the member
 * axis), so there is no loop over members anywhere in the forward pass. The head is one linear
 * layer on the members' concatenated features, which equals the mean of K member heads: HPL's
 * head-only virtual step runs on it unchanged, and since Adam's step is per coordinate, that step
 * is each member's own head step (all members share the head's one bias).
 *
 * <p>Training minimises the loss of the members' mean, not the mean of the members' losses as
 * TabM does: every method's loss (and HPL's closed-form meta step) is written for one prediction
 * per row, and the difference — a penalty on member disagreement — would have to enter each. Tried
 * for SUPERVISED on house_lucas γ = 10%: MAE 0.2628 with members' losses against 0.2630 (seeds 0–2).
 */
public final class PackedMlpNetwork implements RegressorNetwork {
    private final PiecewiseLinearEncoding encoding;
    private final NDArray source;
    private final NDArray lower;
    private final NDArray width;
    private final NDArray floor;
    private final NDArray upper;
    private final int members;
    private final int firstWidth;
    private final Dense first;
    private final List<PackedDense> hidden = new ArrayList<>();
    private final Dense head;
    private final float dropout;

    PackedMlpNetwork(NDManager manager, PackedMlp initial, double dropout) {
        this.encoding = initial.encoding();
        int e = encoding.outputs();
        this.source = manager.create(java.util.Arrays.stream(encoding.source()).asLongStream().toArray());
        this.lower = manager.create(encoding.lower(), new Shape(e));
        this.width = manager.create(encoding.width(), new Shape(e));
        this.floor = manager.create(encoding.floor(), new Shape(e));
        this.upper = manager.create(encoding.upper(), new Shape(e));
        this.members = initial.members();
        this.firstWidth = initial.first().outputs() / members;
        this.first = Dense.of(manager, initial.first());
        initial.hidden().forEach(layer -> hidden.add(new PackedDense(manager, layer)));
        this.head = Dense.of(manager, initial.head());
        this.dropout = (float) dropout;
    }

    /**
     * K members of inputs → hidden… → 1, each with PyTorch's default Linear init drawn from
     * {@code random} (member by member, so members start apart); the head stores each member's head
     * divided by K and the mean of their biases, which makes its output the members' mean.
     */
    public static PackedMlp initial(PiecewiseLinearEncoding encoding, List<Integer> hiddenWidths, int members,
                                    Random random) {
        int e = encoding.outputs();
        int w1 = hiddenWidths.get(0);
        float[] firstWeight = new float[members * w1 * e];
        float[] firstBias = new float[members * w1];
        for (int k = 0; k < members; k++) {
            DenseLayer member = Dense.pytorchDefaultWeights(e, w1, random);
            System.arraycopy(member.weight(), 0, firstWeight, k * w1 * e, w1 * e); // rows k·w1… of [K·w1][E]
            System.arraycopy(member.bias(), 0, firstBias, k * w1, w1);
        }
        List<PackedLayer> hidden = new ArrayList<>();
        int in = w1;
        for (int i = 1; i < hiddenWidths.size(); i++) {
            int out = hiddenWidths.get(i);
            float[] weight = new float[members * in * out];
            float[] bias = new float[members * out];
            for (int k = 0; k < members; k++) {
                DenseLayer member = Dense.pytorchDefaultWeights(in, out, random);
                for (int o = 0; o < out; o++) { // Linear's [out][in] → the batched matmul's [in][out]
                    for (int j = 0; j < in; j++) {
                        weight[(k * in + j) * out + o] = member.weight()[o * in + j];
                    }
                }
                System.arraycopy(member.bias(), 0, bias, k * out, out);
            }
            hidden.add(new PackedLayer(members, in, out, weight, bias));
            in = out;
        }
        float[] headWeight = new float[members * in];
        double headBias = 0;
        for (int k = 0; k < members; k++) {
            DenseLayer member = Dense.pytorchDefaultWeights(in, 1, random);
            for (int j = 0; j < in; j++) {
                headWeight[k * in + j] = member.weight()[j] / members;
            }
            headBias += member.bias()[0] / (double) members;
        }
        return new PackedMlp(encoding, members, new DenseLayer(e, members * w1, firstWeight, firstBias), hidden,
                new DenseLayer(members * in, 1, headWeight, new float[] {(float) headBias}));
    }

    /** The piecewise-linear encoding, [B, inputs] → [B, E]: gather, Sub, Div, Min, Max (as the ONNX graph). */
    public NDArray encode(NDArray x) {
        return x.get(new NDIndex(":, {}", source)).sub(lower).div(width).minimum(upper).maximum(floor);
    }

    @Override
    public NDArray features(NDArray x, boolean training) {
        NDArray h = RegressorNetwork.dropout(Activation.relu(first.forward(encode(x))), dropout, training);
        if (hidden.isEmpty()) {
            return h;
        }
        h = h.reshape(-1, members, firstWidth).transpose(1, 0, 2); // [K, B, w1]
        for (PackedDense layer : hidden) {
            h = RegressorNetwork.dropout(Activation.relu(layer.forward(h)), dropout, training);
        }
        return h.transpose(1, 0, 2).reshape(-1, head.inputs()); // [B, K·w]
    }

    @Override
    public Dense head() {
        return head;
    }

    @Override
    public List<NDArray> backboneParameters() {
        List<NDArray> params = new ArrayList<>(first.parameters());
        hidden.forEach(layer -> params.addAll(layer.parameters()));
        return params;
    }

    @Override
    public PackedMlp snapshot() {
        List<PackedLayer> layers = new ArrayList<>();
        hidden.forEach(layer -> layers.add(layer.snapshot()));
        return new PackedMlp(encoding, members, first.snapshot(), layers, head.snapshot());
    }
}
