package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.store.JobStore;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.TrainingProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's events as stored objects: what goes in comes out, in order, and goes away on delete. */
class JobEventCodecTest {
    private static final String ID = "job-00000000-0000-0000-0000-000000000001";

    @TempDir
    Path root;

    @Test
    void progressFinishedAndFailedRoundTripNaNIncluded() {
        JobEvent.Progress progress = new JobEvent.Progress(3, ID,
                new TrainingProgress(40, 200, 0.25, Double.NaN, Map.of("supervised", 0.2, "consistency", 0.05)));
        assertEquals(progress, JobEventCodec.decode(JobEventCodec.encode(progress), (n, v) -> null));

        JobEvent.Finished finished = new JobEvent.Finished(9, ID, "m", 4, null);
        JobEvent.Finished back = assertInstanceOf(JobEvent.Finished.class,
                JobEventCodec.decode(JobEventCodec.encode(finished), (n, v) -> null));
        assertEquals(List.of(9L, "m", 4), List.of(back.sequence(), back.modelName(), back.version()));
        assertNull(back.model(), "the version was looked up, and is gone");

        JobEvent.Failed failed = new JobEvent.Failed(5, ID, ErrorKind.NOT_FOUND, "dataset 'd' not found");
        assertEquals(failed, JobEventCodec.decode(JobEventCodec.encode(failed), (n, v) -> null));
    }

    @Test
    void onlyAWorkersOwnEventsAreStored() {
        assertFalse(JobEventCodec.stored(new JobEvent.Accepted(0, ID, 0, MethodName.HPL)));
        assertFalse(JobEventCodec.stored(new JobEvent.Cancelled(1, ID, "cancelled")));
        assertTrue(JobEventCodec.stored(new JobEvent.Failed(1, ID, ErrorKind.INTERNAL, "x")));
    }

    @Test
    void theStoreListsEventsInNumberOrderFromTheOneAskedForAndDeletesThem() {
        JobStore store = new JobStore(root);
        for (long seq : List.of(10L, 2L, 9L, 1L, 11L)) { // written out of order, across a digit boundary
            store.saveEvent(ID, seq, JobEventCodec.encode(new JobEvent.Progress(seq, ID,
                    new TrainingProgress(seq * 10, 200, 0.1, 0.2, Map.of()))));
        }
        List<Long> from2 = store.events(ID, 2).stream()
                .map(b -> JobEventCodec.decode(b, (n, v) -> null).sequence()).toList();
        assertEquals(List.of(2L, 9L, 10L, 11L), from2);
        assertTrue(store.events("job-00000000-0000-0000-0000-000000000002", 0).isEmpty());

        store.deleteEvents(ID);
        assertTrue(store.events(ID, 0).isEmpty());
    }
}
