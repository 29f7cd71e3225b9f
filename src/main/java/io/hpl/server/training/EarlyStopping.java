package io.hpl.server.training;

import ai.djl.ndarray.NDArray;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.training.checkpoint.RunState;
import io.hpl.server.training.checkpoint.StatePart;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Early stopping on the calibration rows' MAE, evaluated at every progress report: stop after
 * {@code patience} evaluations without a lower MAE, and serve the best iterate. The best weights
 * are kept as Java float arrays, not native copies, so a run holds no extra native memory and
 * nothing to close; for a tabular network that is a few hundred KB copied per improvement.
 */
final class EarlyStopping {
    private final int patience;
    private double bestMae = Double.POSITIVE_INFINITY;
    private long bestIteration;
    private int sinceBest;
    private List<float[]> best;

    EarlyStopping(int patience) {
        this.patience = patience;
    }

    boolean enabled() {
        return patience > 0;
    }

    /** Records the MAE at {@code iteration}; true when training should stop. A NaN MAE is no improvement. */
    boolean record(long iteration, double mae, RegressorNetwork network) {
        if (!enabled()) {
            return false;
        }
        if (mae < bestMae) {
            bestMae = mae;
            bestIteration = iteration;
            sinceBest = 0;
            best = new ArrayList<>();
            state(network).forEach(p -> best.add(p.toFloatArray()));
            return false;
        }
        return ++sinceBest >= patience;
    }

    /** Writes the best iterate's weights back into the network (in place: optimisers keep their arrays). */
    void restoreBest(RegressorNetwork network) {
        if (best == null) {
            return;
        }
        List<NDArray> state = state(network);
        for (int i = 0; i < state.size(); i++) {
            state.get(i).set(best.get(i));
        }
    }

    /** Registers the best MAE, its iteration and weights, and the evaluations since (the weights only once there are some). */
    void register(RunState state) {
        state.add("early_stopping", new StatePart() {
            @Override
            public void write(DataOutputStream out) throws IOException {
                out.writeDouble(bestMae);
                out.writeLong(bestIteration);
                out.writeInt(sinceBest);
                out.writeInt(best == null ? -1 : best.size());
                if (best != null) {
                    for (float[] b : best) {
                        out.writeInt(b.length);
                        for (float v : b) {
                            out.writeFloat(v);
                        }
                    }
                }
            }

            @Override
            public void read(DataInputStream in) throws IOException {
                bestMae = in.readDouble();
                bestIteration = in.readLong();
                sinceBest = in.readInt();
                int count = in.readInt();
                best = count < 0 ? null : new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    float[] b = new float[in.readInt()];
                    for (int j = 0; j < b.length; j++) {
                        b[j] = in.readFloat();
                    }
                    best.add(b);
                }
            }
        });
    }

    long bestIteration() {
        return bestIteration;
    }

    private static List<NDArray> state(RegressorNetwork network) {
        List<NDArray> state = new ArrayList<>(network.parameters());
        state.addAll(network.buffers());
        return state;
    }
}
