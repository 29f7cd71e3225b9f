package io.hpl.server.training.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Everything a run must carry across a checkpoint, by name. Whoever creates a piece of mutable
 * training state (a network, an optimiser, a sampler, a counter) registers it here once, and that
 * one registration both saves it and restores it, so the two cannot drift apart. Restoring writes
 * into the live objects (arrays in place), so everything holding a reference sees the restored state.
 */
public final class RunState {
    private final Map<String, StatePart> parts = new LinkedHashMap<>();

    /** Registers a part; names are unique within a run. */
    public void add(String name, StatePart part) {
        if (parts.putIfAbsent(name, part) != null) {
            throw new IllegalStateException("state part '" + name + "' registered twice");
        }
    }

    /** Float32 native arrays (parameters, optimiser moments, buffers), restored in place. */
    public void arrays(String name, List<NDArray> arrays) {
        List<NDArray> live = List.copyOf(arrays);
        add(name, new StatePart() {
            @Override
            public void write(DataOutputStream out) throws IOException {
                out.writeInt(live.size());
                for (NDArray a : live) {
                    float[] values = floats(a).toFloatArray();
                    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES); // big-endian, as DataOutput
                    bytes.asFloatBuffer().put(values); // bit patterns, NaNs included
                    out.writeInt(values.length);
                    out.write(bytes.array());
                }
            }

            @Override
            public void read(DataInputStream in) throws IOException {
                expect(in.readInt(), live.size(), name + ": arrays");
                for (NDArray a : live) {
                    float[] values = new float[expect(in.readInt(), Math.toIntExact(a.size()), name + ": elements")];
                    byte[] bytes = new byte[values.length * Float.BYTES];
                    in.readFully(bytes);
                    ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
                    floats(a).set(values);
                }
            }
        });
    }

    /** A counter held by its owner (step counts, positions), read and written through the owner's accessors. */
    public void counter(String name, LongSupplier get, LongConsumer set) {
        add(name, new StatePart() {
            @Override
            public void write(DataOutputStream out) throws IOException {
                out.writeLong(get.getAsLong());
            }

            @Override
            public void read(DataInputStream in) throws IOException {
                set.accept(in.readLong());
            }
        });
    }

    /** The run's seeded generator. */
    public void random(String name, SeededRandom random) {
        add(name, new StatePart() {
            @Override
            public void write(DataOutputStream out) throws IOException {
                SeededRandom.State s = random.state();
                out.writeLong(s.seed());
                out.writeBoolean(s.haveNextGaussian());
                out.writeDouble(s.nextGaussian());
            }

            @Override
            public void read(DataInputStream in) throws IOException {
                random.restore(new SeededRandom.State(in.readLong(), in.readBoolean(), in.readDouble()));
            }
        });
    }

    /** Each part's bytes, in registration order. */
    public Map<String, byte[]> capture() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        parts.forEach((name, part) -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream data = new DataOutputStream(bytes)) {
                part.write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.put(name, bytes.toByteArray());
        });
        return out;
    }

    /**
     * Writes {@code saved} back into the registered parts. The checkpoint must hold exactly the parts
     * this run registered, each read to its end: anything else means another method, settings or
     * code version wrote it, and it is refused rather than half applied.
     */
    public void restore(Map<String, byte[]> saved) {
        if (!saved.keySet().equals(parts.keySet())) {
            throw new IncompatibleCheckpointException("the checkpoint holds " + saved.keySet() + ", this run has "
                    + parts.keySet());
        }
        parts.forEach((name, part) -> {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved.get(name)))) {
                part.read(in);
                if (in.available() > 0) {
                    throw new IncompatibleCheckpointException(name + ": " + in.available() + " bytes left over");
                }
            } catch (IOException e) {
                throw new IncompatibleCheckpointException(name + ": " + e.getMessage());
            }
        });
    }

    private static NDArray floats(NDArray a) {
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("checkpoints carry float32 arrays, got " + a.getDataType());
        }
        return a;
    }

    private static int expect(int found, int expected, String what) {
        if (found != expected) {
            throw new IncompatibleCheckpointException(what + ": the checkpoint has " + found + ", this run " + expected);
        }
        return found;
    }
}
