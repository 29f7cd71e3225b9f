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

    private static final long SECOND = 1_000_000_000L;

    private static final class Kinds implements JobWatcher {
        final List<String> seen = new ArrayList<>();

        public void event(JobEvent event) {
            seen.add(event.getClass().getSimpleName() + "@" + event.sequence());
        }

        public void closed(ErrorKind kind, String message) { seen.add("closed"); }
    }

    private static JobEvent beat(long seq) {
        return new JobEvent.Heartbeat(seq, "j", io.hpl.server.store.JobState.RUNNING, 3, 10, 1.5);
    }

    @Test
    void anIdleWatcherGetsAHeartbeatEveryIntervalCarryingTheLatestSequenceAndNeverReplayed() {
        long[] now = {0};
        JobEventLog log = new JobEventLog(0, () -> now[0]);
        log.append(seq -> new JobEvent.Accepted(seq, "j", 0, MethodName.GBDT));
        Kinds watcher = new Kinds();
        log.watch(0, watcher);                            // attached at t = 0
        now[0] = 10 * SECOND - 1;
        assertEquals(0, log.heartbeat(10 * SECOND, JobEventLogTest::beat), "not idle for a whole interval yet");
        now[0] = 10 * SECOND;
        assertEquals(1, log.heartbeat(10 * SECOND, JobEventLogTest::beat));
        now[0] = 15 * SECOND;
        assertEquals(0, log.heartbeat(10 * SECOND, JobEventLogTest::beat), "the heartbeat itself resets the interval");
        now[0] = 18 * SECOND;
        log.append(JobEventLogTest::progress);            // a real event at t = 18 resets it too
        now[0] = 27 * SECOND;
        assertEquals(0, log.heartbeat(10 * SECOND, JobEventLogTest::beat));
        now[0] = 28 * SECOND;
        assertEquals(1, log.heartbeat(10 * SECOND, JobEventLogTest::beat));
        assertEquals(List.of("Accepted@0", "Heartbeat@0", "Progress@1", "Heartbeat@1"), watcher.seen,
                "a heartbeat repeats the latest sequence, so last seen + 1 still resumes right");

        Kinds late = new Kinds();
        log.watch(0, late);
        assertEquals(List.of("Accepted@0", "Progress@1"), late.seen, "heartbeats are not kept for replay");
    }

    @Test
    void heartbeatsGoOnlyToIdleAttachedWatchersAndStopAtTheEnd() {
        long[] now = {0};
        JobEventLog log = new JobEventLog(0, () -> now[0]);
        log.append(seq -> new JobEvent.Accepted(seq, "j", 0, MethodName.GBDT));
        Kinds early = new Kinds();
        log.watch(0, early);
        now[0] = 6 * SECOND;
        Kinds recent = new Kinds();
        log.watch(1, recent);
        Kinds detached = new Kinds();
        log.watch(1, detached).run();
        now[0] = 10 * SECOND;
        assertEquals(1, log.heartbeat(10 * SECOND, JobEventLogTest::beat), "only the watcher idle since t = 0");
        assertEquals(List.of("Accepted@0", "Heartbeat@0"), early.seen);
        assertEquals(List.of(), recent.seen);
        assertEquals(List.of(), detached.seen);

        log.append(seq -> new JobEvent.Cancelled(seq, "j", "cancelled"));
        now[0] = 100 * SECOND;
        assertEquals(0, log.heartbeat(10 * SECOND, JobEventLogTest::beat), "an ended job's watchers are gone");
        assertEquals(List.of("Cancelled@1"), recent.seen);
    }
}
