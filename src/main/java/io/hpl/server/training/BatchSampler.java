package io.hpl.server.training;

import io.hpl.server.training.checkpoint.IncompatibleCheckpointException;
import io.hpl.server.training.checkpoint.RunState;
import io.hpl.server.training.checkpoint.StatePart;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

/**
 * Draws batches of row indices epoch by epoch: a fresh shuffle per epoch, the last incomplete
 * batch dropped (as the reference runs do). A set smaller than the batch gives all its rows.
 */
public final class BatchSampler {
    private final int[] order;
    private final int batchSize;
    private final Random random;
    private int position;

    public BatchSampler(int rows, int batchSize, Random random) {
        if (rows == 0) {
            throw new IllegalArgumentException("no rows to sample from");
        }
        this.order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        this.batchSize = Math.min(batchSize, rows);
        this.random = random;
        shuffle();
    }

    public int[] next() {
        if (position + batchSize > order.length) {
            shuffle();
        }
        int[] batch = new int[batchSize];
        System.arraycopy(order, position, batch, 0, batchSize);
        position += batchSize;
        return batch;
    }

    /** Registers the current epoch's order and the position in it (the shuffles draw from the run's generator). */
    public void register(RunState state, String name) {
        state.add(name, new StatePart() {
            @Override
            public void write(DataOutputStream out) throws IOException {
                out.writeInt(order.length);
                for (int i : order) {
                    out.writeInt(i);
                }
                out.writeInt(position);
            }

            @Override
            public void read(DataInputStream in) throws IOException {
                if (in.readInt() != order.length) {
                    throw new IncompatibleCheckpointException(name + ": another number of rows");
                }
                for (int i = 0; i < order.length; i++) {
                    order[i] = in.readInt();
                }
                position = in.readInt();
            }
        });
    }

    private void shuffle() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        position = 0;
    }
}
