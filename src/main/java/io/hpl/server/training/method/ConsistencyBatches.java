package io.hpl.server.training.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.hpl.server.training.BatchSampler;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.NativeArrays;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.nn.RegressorNetwork;

/**
 * The batches of one consistency step: labelled rows (weak view, as every method including
 * SUPERVISED sees them) and unlabelled rows in a weak and a strong view of the same rows.
 */
final class ConsistencyBatches {
    record Batch(NDArray labelled, NDArray targets, NDArray weak, NDArray strong) {
        long labelledRows() {
            return labelled.getShape().get(0);
        }
    }

    /** Student predictions with gradient: p_l for the labelled rows, p_s for the strong view. */
    record StudentPredictions(NDArray labelled, NDArray strong) {
    }

    private final SessionContext context;
    private final BatchSampler labelled;
    private final BatchSampler unlabelled;

    ConsistencyBatches(SessionContext c) {
        this.context = c;
        int batch = c.hyperParameters().get(CommonHyperParameters.BATCH_SIZE);
        this.labelled = new BatchSampler(c.data().labelledX().length, batch, c.random());
        this.unlabelled = new BatchSampler(c.data().unlabelledX().length, batch, c.random());
        labelled.register(c.state(), "sampler.labelled");
        unlabelled.register(c.state(), "sampler.unlabelled");
    }

    Batch next(NDManager scratch) {
        int[] l = labelled.next();
        int[] u = unlabelled.next();
        var views = context.views();
        var data = context.data();
        return new Batch(views.weak(scratch, data.labelledX(), l), LabelledBatch.targets(scratch, data.labelledY(), l),
                views.weak(scratch, data.unlabelledX(), u), views.strong(scratch, data.unlabelledX(), u));
    }

    /**
     * One train-mode forward of the labelled and strong rows together: without batch norm this
     * equals two forwards (dropout masks are drawn per element either way) and saves the
     * per-op overhead of the second pass; with batch norm the statistics span both (as in FixMatch).
     */
    static StudentPredictions student(RegressorNetwork network, Batch batch) {
        NDArray p = network.predict(NDArrays.concat(new NDList(batch.labelled(), batch.strong())), true);
        long n = batch.labelledRows();
        return new StudentPredictions(p.get(new NDIndex(":{}", n)), p.get(new NDIndex("{}:", n)));
    }

    static NDArray mse(NDArray prediction, NDArray target) {
        return prediction.sub(target).square().mean();
    }

    /**
     * {@code term}·{@code weight} for a loss term, the weight a PyTorch-owned constant of the term's
     * dtype (a float64 one would promote a 0-dim float32 loss to float64): DJL's {@code mul(Number)}
     * would leave autograd a Java buffer that a collection can free before the backward pass
     * ({@link NativeArrays#scalar}).
     */
    static NDArray weighted(NDArray term, double weight) {
        return term.mul(NativeArrays.scalar(term, weight));
    }
}
