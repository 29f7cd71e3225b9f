package io.hpl.server.serving;

import io.hpl.server.data.RowChunk;
import io.hpl.server.data.RowChunks;
import io.hpl.server.model.Predictions;
import io.hpl.server.store.ModelRecord;
import java.util.function.BiFunction;

/**
 * One PredictDataset stream's work: reads the next chunk of the dataset and scores it, only when
 * asked, so a stream holds one chunk at a time. Closing it closes the dataset's file. One thread at a
 * time.
 */
public final class DatasetScoring implements AutoCloseable {
    /** A scored chunk: the rows' indexes and ids, and their predictions. */
    public record ScoredChunk(long[] index, String[] ids, Predictions predictions) {
    }

    private final ModelRecord model;
    private final RowChunks chunks;
    private final int chunkRows;
    private final BiFunction<ModelRecord, float[][], Predictions> score;
    private final Runnable onChunk;
    private final Runnable onClose;
    private boolean closed;

    DatasetScoring(ModelRecord model, RowChunks chunks, int chunkRows, BiFunction<ModelRecord, float[][], Predictions> score,
                   Runnable onChunk, Runnable onClose) {
        this.onClose = onClose;
        this.model = model;
        this.chunks = chunks;
        this.chunkRows = chunkRows;
        this.score = score;
        this.onChunk = onChunk;
    }

    /** The version that scores every chunk (resolved once, so a newer version cannot change a stream midway). */
    public ModelRecord model() {
        return model;
    }

    /** The next scored chunk, or null after the last. */
    public ScoredChunk next() {
        RowChunk chunk = chunks.next(chunkRows);
        if (chunk == null) {
            return null;
        }
        onChunk.run();
        return new ScoredChunk(chunk.index(), chunk.ids(), score.apply(model, chunk.x()));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
            chunks.close();
        }
    }
}
