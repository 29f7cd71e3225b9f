package io.hpl.server.data;

/**
 * A dataset read a chunk at a time, so that scoring it holds one chunk in memory rather than the whole
 * encoded table. Not thread-safe: one reader, one thread at a time.
 */
public interface RowChunks extends AutoCloseable {
    /** The next at most {@code maxRows} selected rows, in file order; null after the last. */
    RowChunk next(int maxRows);

    @Override
    void close();
}
