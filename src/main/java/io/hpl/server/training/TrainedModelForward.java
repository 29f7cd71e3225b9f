package io.hpl.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.hpl.server.model.ConstantVariance;
import io.hpl.server.model.ConvNet;
import io.hpl.server.model.PackedMlp;
import io.hpl.server.model.FixedViews;
import io.hpl.server.model.Blend;
import io.hpl.server.model.ResidualTreeVariance;
import io.hpl.server.model.RowLearnedVariance;
import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.model.ViewLearnedVariance;
import io.hpl.server.model.DenseLayer;
import io.hpl.server.model.Mlp;
import io.hpl.server.model.Regressor;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.model.Predictions;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.VarianceModel;
import java.util.List;
import java.util.function.Function;

/**
 * The training side's forward pass of a {@link TrainedModel}, in float32 with DJL NDArrays. It
 * computes exactly what the exported ONNX graph computes (same ops, same order), so comparing
 * the two checks the export.
 */
public final class TrainedModelForward {
    private TrainedModelForward() {
    }

    /** Arrays live in a sub-manager of {@code manager} that is closed before this returns. */
    public static Predictions predict(NDManager manager, TrainedModel model, float[][] rows) {
        int width = model.schema().encodedWidth();
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " features, the model takes " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        // Grad mode is thread-local in PyTorch and on by default on fresh threads: without this,
        // inference on a worker thread would record an autograd graph. Restored for the caller.
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(flat, new Shape(rows.length, width));
            if (model.imputesMissing()) { // Where(IsNaN(x), fill, x), as the graph does
                NDArray fill = m.create(model.features().missingFill()).broadcast(x.getShape()); // DJL's where does not broadcast
                x = NDArrays.where(x.isNaN(), fill, x);
            }
            NDArray standardised = x.sub(m.create(model.features().mean()))
                    .div(m.create(model.features().std()));
            Function<NDArray, NDArray> f = regressorForward(m, model.regressor());
            NDArray out = f.apply(standardised).reshape(-1);
            NDArray mean = out.mul((float) model.target().std()).add((float) model.target().mean());
            NDArray variance = variance(m, model, f, standardised, out, mean);
            return new Predictions(toDoubles(mean), toDoubles(variance));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * f on standardised rows, [N] → [N, 1], eval mode. A conv net and a packed MLP ensemble run
     * through the same layers as in training (the ONNX blocks mirror those); their weights are loaded
     * into {@code m} once, here, however often f is applied.
     */
    static Function<NDArray, NDArray> regressorForward(NDManager m, Regressor regressor) {
        return regressor.accept(new Regressor.Visitor<>() {
            @Override
            public Function<NDArray, NDArray> mlp(Mlp mlp) {
                return x -> forwardMlp(m, mlp, x);
            }

            @Override
            public Function<NDArray, NDArray> packedMlp(PackedMlp packed) {
                return asNetwork(packed);
            }

            @Override
            public Function<NDArray, NDArray> convNet(ConvNet conv) {
                return asNetwork(conv);
            }

            @Override
            public Function<NDArray, NDArray> trees(TreeEnsemble trees) {
                return x -> forwardTrees(m, trees, x);
            }

            @Override
            public Function<NDArray, NDArray> blend(Blend blend) {
                List<Function<NDArray, NDArray>> members = blend.members().stream().map(r -> regressorForward(m, r)).toList();
                return x -> {
                    NDArray sum = null;
                    for (int k = 0; k < members.size(); k++) {
                        NDArray weighted = members.get(k).apply(x).mul((float) blend.weights()[k]);
                        sum = sum == null ? weighted : sum.add(weighted);
                    }
                    return sum;
                };
            }

            private Function<NDArray, NDArray> asNetwork(Regressor network) {
                RegressorNetwork n = RegressorNetwork.of(m, network, 0);
                return x -> n.predict(x, false).reshape(-1, 1);
            }
        });
    }

    /** [N, inputs] → [N, outputs]; weights are [out][in] as in PyTorch's Linear, hence the transpose. */
    static NDArray forwardMlp(NDManager m, Mlp mlp, NDArray input) {
        NDArray h = input;
        for (int i = 0; i < mlp.layers().size(); i++) {
            DenseLayer layer = mlp.layers().get(i);
            NDArray w = m.create(layer.weight(), new Shape(layer.outputs(), layer.inputs()));
            h = h.matMul(w.transpose()).add(m.create(layer.bias()));
            if (i < mlp.layers().size() - 1) {
                h = h.maximum(0f);
            }
        }
        return h;
    }

    /** f on rows that are already standardised, in standardised target units: what AUTO blends candidates by. */
    public static double[] regressorOutputs(NDManager manager, Regressor regressor, float[][] standardisedRows) {
        if (standardisedRows.length == 0) {
            return new double[0];
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = manager.newSubManager()) {
            int width = standardisedRows[0].length;
            float[] flat = new float[standardisedRows.length * width];
            for (int i = 0; i < standardisedRows.length; i++) {
                System.arraycopy(standardisedRows[i], 0, flat, i * width, width);
            }
            NDArray x = m.create(flat, new Shape(standardisedRows.length, width));
            return toDoubles(regressorForward(m, regressor).apply(x).reshape(-1));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Trees walk rows on the host: [N, inputs] → [N, 1], the float32 sums of {@link TreeEnsemble#predict}. */
    static NDArray forwardTrees(NDManager m, TreeEnsemble trees, NDArray input) {
        int n = Math.toIntExact(input.getShape().get(0));
        int d = Math.toIntExact(input.getShape().get(1));
        float[] flat = input.toFloatArray();
        float[] out = new float[n];
        float[] row = new float[d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, row, 0, d);
            out[i] = trees.predict(row);
        }
        return m.create(out, new Shape(n, 1));
    }

    /** One branch per VarianceModel variant, mirroring OnnxModelWriter. */
    private static NDArray variance(NDManager m, TrainedModel model, Function<NDArray, NDArray> f, NDArray standardised,
                                    NDArray out, NDArray mean) {
        return model.variance().accept(new VarianceModel.Visitor<>() {
            @Override
            public NDArray constant(ConstantVariance constant) {
                return m.full(mean.getShape(), (float) constant.variance());
            }

            @Override
            public NDArray viewLearned(ViewLearnedVariance view) {
                return viewRawVariance(m, f, view, standardised, out).mul((float) view.scale());
            }

            @Override
            public NDArray rowLearned(RowLearnedVariance row) {
                return rowRawVariance(m, row, standardised).mul((float) row.scale());
            }

            @Override
            public NDArray residualTrees(ResidualTreeVariance trees) {
                return treeRawVariance(m, trees, standardised).mul((float) trees.scale());
            }
        });
    }

    /**
     * σ² before the scale, [N], for standardised rows: what training calibrates the scale on.
     * {@code f} is the regressor in eval mode (no dropout), [N, d] → [N, 1], as served. A constant
     * variance model gives ones.
     */
    public static NDArray rawVariance(NDManager m, Function<NDArray, NDArray> f, VarianceModel variance,
                                      NDArray standardised) {
        return variance.accept(new VarianceModel.Visitor<>() {
            @Override
            public NDArray constant(ConstantVariance constant) {
                return m.ones(new Shape(standardised.getShape().get(0)));
            }

            @Override
            public NDArray viewLearned(ViewLearnedVariance view) {
                return viewRawVariance(m, f, view, standardised, f.apply(standardised).reshape(-1));
            }

            @Override
            public NDArray rowLearned(RowLearnedVariance row) {
                return rowRawVariance(m, row, standardised);
            }

            @Override
            public NDArray residualTrees(ResidualTreeVariance trees) {
                return treeRawVariance(m, trees, standardised);
            }
        });
    }

    private static NDArray treeRawVariance(NDManager m, ResidualTreeVariance trees, NDArray standardised) {
        return forwardTrees(m, trees.logVariance(), standardised).reshape(-1).exp();
    }

    /**
     * mean_k exp(g(f(v_k) − f(x), f(v_k))), v_k = x ⊙ keep_k + offset_k; f in standardised units.
     * The same ops in the same order as OnnxModelWriter's view block.
     */
    private static NDArray viewRawVariance(NDManager m, Function<NDArray, NDArray> f, ViewLearnedVariance variance,
                                           NDArray standardised, NDArray out) {
        FixedViews views = variance.views();
        int k = views.count();
        Shape viewShape = new Shape(k, views.width());
        NDArray v = standardised.expandDims(1).mul(m.create(views.keep(), viewShape)).add(m.create(views.offset(), viewShape))
                .reshape(-1, views.width());
        NDArray viewOut = f.apply(v); // [N·K, 1]
        NDArray residual = viewOut.reshape(-1, k).sub(out.expandDims(1));
        NDArray input = NDArrays.concat(new NDList(residual.reshape(-1, 1), viewOut), 1);
        return forwardMlp(m, variance.learner(), input).reshape(-1, k).exp().mean(new int[] {1});
    }

    private static NDArray rowRawVariance(NDManager m, RowLearnedVariance variance, NDArray standardised) {
        return forwardMlp(m, variance.learner(), standardised).reshape(-1).exp();
    }

    private static double[] toDoubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
