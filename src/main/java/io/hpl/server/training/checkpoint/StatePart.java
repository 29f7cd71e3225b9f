package io.hpl.server.training.checkpoint;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** One piece of a run's mutable state, written to a checkpoint and read back into the live objects in place. */
public interface StatePart {
    void write(DataOutputStream out) throws IOException;

    void read(DataInputStream in) throws IOException;
}
