package io.hpl.server.training.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hpl.server.model.FixedViews;
import io.hpl.server.model.RowLearnedVariance;
import io.hpl.server.model.ViewLearnedVariance;
import io.hpl.server.model.VarianceModel;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.EvalChunks;
import io.hpl.server.training.TrainedModelForward;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.training.nn.UncertaintyLearner;
import java.util.Random;

/**
 * The σ² a method with an uncertainty learner serves: σ²_raw from g (view or row input, see
 * {@link ViewLearnedVariance} and {@link RowLearnedVariance}), times the scale the loop fits on
 * held-out rows. The raw value used for calibration comes from {@link TrainedModelForward}, the
 * forward pass that the ONNX parity test checks, so calibration sees exactly what is served.
 */
final class LearnedVariance {
    private final SessionContext context;
    private final UncertaintyLearner learner;
    private final UncertaintyInput input;
    private final FixedViews views;

    LearnedVariance(SessionContext c, UncertaintyLearner learner, UncertaintyInput input, int viewCount) {
        this.context = c;
        this.learner = learner;
        this.input = input;
        // Drawn once from the run's seeded generator: the served views are fixed for the model's life.
        this.views = input == UncertaintyInput.VIEW
                ? c.views().fixed(viewCount, trainingRows(c.data()), new Random(c.random().nextLong()))
                : null;
    }

    VarianceModel model(double scale) {
        return input == UncertaintyInput.VIEW
                ? new ViewLearnedVariance(learner.snapshot(), views, scale)
                : new RowLearnedVariance(learner.snapshot(), scale);
    }

    double[] raw(NDManager scratch, NDArray standardisedRows) {
        // The live network in eval mode, not a snapshot: its weights are already on the device.
        RegressorNetwork network = context.network();
        VarianceModel unscaled = model(1.0);
        float[] raw = EvalChunks.map(scratch, standardisedRows, rows -> TrainedModelForward.rawVariance(rows.getManager(),
                x -> network.predict(x, false).reshape(-1, 1), unscaled, rows));
        double[] out = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i];
        }
        return out;
    }

    private static float[][] trainingRows(PreparedData data) {
        float[][] rows = new float[data.labelledX().length + data.unlabelledX().length][];
        System.arraycopy(data.labelledX(), 0, rows, 0, data.labelledX().length);
        System.arraycopy(data.unlabelledX(), 0, rows, data.labelledX().length, data.unlabelledX().length);
        return rows;
    }
}
