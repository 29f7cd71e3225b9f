package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.TrainingProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobEventLogTest {
    private static final class Recorder implements JobWatcher {
        final List<Long> sequences = new ArrayList<>();
        final List<String> closes = new ArrayList<>();

        public void event(JobEvent event) { sequences.add(event.sequence()); }
        public void closed(ErrorKind kind, String message) { closes.add(kind + " " + message); }
    }

    private static JobEvent progress(long seq) {
        return new JobEvent.Progress(seq, "j", new TrainingProgress(seq, 10, 0, 0, Map.of()));
    }

    @Test
    void aWatcherGetsTheEventsFromItsSequenceThenTheLiveOnesAndNothingAfterDetaching() {
        JobEventLog log = new JobEventLog(5); // numbering continues from the record after a restart
        log.append(seq -> new JobEvent.Accepted(seq, "j", 0, MethodName.GBDT));
        log.append(JobEventLogTest::progress);
        Recorder late = new Recorder();
        Runnable detach = log.watch(6, late);
        log.append(JobEventLogTest::progress);
        Recorder gone = new Recorder();
        Runnable detachGone = log.watch(0, gone);
        detachGone.run();
        log.append(JobEventLogTest::progress);
        log.append(seq -> new JobEvent.Cancelled(seq, "j", "cancelled"));
        assertEquals(List.of(6L, 7L, 8L, 9L), late.sequences);
        assertEquals(List.of(5L, 6L, 7L), gone.sequences, "nothing after detaching");
        detach.run();

        log.keepFinalOnly();
        Recorder afterEnd = new Recorder();
        log.watch(0, afterEnd);
        assertEquals(List.of(9L), afterEnd.sequences);
    }

    @Test
    void closingWatchersEndsTheirStreamsWithoutAnEvent() {
        JobEventLog log = new JobEventLog(0);
        Recorder watcher = new Recorder();
        log.watch(0, watcher);
        log.closeWatchers(ErrorKind.UNAVAILABLE, "server shutting down; job j will resume");
        log.append(JobEventLogTest::progress);
        assertEquals(List.of("UNAVAILABLE server shutting down; job j will resume"), watcher.closes);
        assertEquals(List.of(), watcher.sequences);
    }
}
