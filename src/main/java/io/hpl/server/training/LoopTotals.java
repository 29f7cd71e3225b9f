package io.hpl.server.training;

import io.hpl.server.training.checkpoint.RunState;
import io.hpl.server.training.checkpoint.StatePart;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the training loop sums between progress reports (the mean loss, the latest named components)
 * and over the run (step time): carried by checkpoints so a resumed run reports what the
 * uninterrupted one would have. Step time is wall time, the one part that is not reproducible.
 */
final class LoopTotals {
    long stepNanos;
    double lossSum;
    int lossCount;
    final Map<String, Double> components = new HashMap<>();

    void register(RunState state) {
        state.add("loop", new StatePart() {
            @Override
            public void write(DataOutputStream out) throws IOException {
                out.writeLong(stepNanos);
                out.writeDouble(lossSum);
                out.writeInt(lossCount);
                Map<String, Double> sorted = new TreeMap<>(components);
                out.writeInt(sorted.size());
                for (Map.Entry<String, Double> e : sorted.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeDouble(e.getValue());
                }
            }

            @Override
            public void read(DataInputStream in) throws IOException {
                stepNanos = in.readLong();
                lossSum = in.readDouble();
                lossCount = in.readInt();
                components.clear();
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    components.put(in.readUTF(), in.readDouble());
                }
            }
        });
    }
}
