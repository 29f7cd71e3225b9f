package io.hpl.server.jobs;

import io.hpl.server.errors.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The events of one job in this process, with the watchers attached to it. A watcher gets the
 * events from the sequence number it asks for, then the live ones, with nothing lost or repeated in
 * between: replay and delivery hold the same lock. Watchers come and go; the job does not notice.
 */
final class JobEventLog {
    private final List<JobEvent> events = new ArrayList<>();
    private final List<JobWatcher> watchers = new ArrayList<>();
    private long nextSequence;

    JobEventLog(long firstSequence) {
        this.nextSequence = firstSequence;
    }

    /** Numbers the event made by {@code make}, keeps it and hands it to every watcher; returns it. */
    synchronized JobEvent append(LongFunction<JobEvent> make) {
        JobEvent event = make.apply(nextSequence++);
        events.add(event);
        for (JobWatcher w : List.copyOf(watchers)) {
            w.event(event);
        }
        if (event.isFinal()) {
            watchers.clear();
        }
        return event;
    }

    synchronized long nextSequence() {
        return nextSequence;
    }

    /** Replays the events numbered {@code from} and later, then attaches for the rest; returns the detacher. */
    synchronized Runnable watch(long from, JobWatcher watcher) {
        boolean ended = false;
        for (JobEvent e : events) {
            if (e.sequence() >= from) {
                watcher.event(e);
            }
            ended |= e.isFinal();
        }
        if (ended) {
            return () -> { };
        }
        watchers.add(watcher);
        return () -> detach(watcher);
    }

    private synchronized void detach(JobWatcher watcher) {
        watchers.remove(watcher);
    }

    /** Forgets every event but the final one: an ended job's progress is history the record already keeps. */
    synchronized void keepFinalOnly() {
        events.removeIf(e -> !e.isFinal());
    }

    /** Ends every watcher's stream without a final event. */
    synchronized void closeWatchers(ErrorKind kind, String message) {
        for (JobWatcher w : List.copyOf(watchers)) {
            w.closed(kind, message);
        }
        watchers.clear();
    }
}
