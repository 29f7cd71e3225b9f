package io.hpl.server.jobs;

import io.hpl.server.errors.ErrorKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The events of one job in this process, with the watchers attached to it. A watcher gets the
 * events from the sequence number it asks for, then the live ones, with nothing lost or repeated in
 * between: replay and delivery hold the same lock. Watchers come and go; the job does not notice.
 * Each watcher's last send time is kept so that one idle for the heartbeat interval gets a
 * heartbeat (proxies with idle timeouts drop silent streams).
 */
final class JobEventLog {
    private final List<JobEvent> events = new ArrayList<>();
    /** Watcher → System.nanoTime()-like time of the last thing sent to it; insertion order is attach order. */
    private final Map<JobWatcher, Long> watchers = new LinkedHashMap<>();
    private final LongSupplier nanoClock;
    private long nextSequence;

    JobEventLog(long firstSequence) {
        this(firstSequence, System::nanoTime);
    }

    /** {@code nanoClock}: a monotonic clock in nanoseconds (tests pass one they move by hand). */
    JobEventLog(long firstSequence, LongSupplier nanoClock) {
        this.nextSequence = firstSequence;
        this.nanoClock = nanoClock;
    }

    /** Numbers the event made by {@code make}, keeps it and hands it to every watcher; returns it. */
    synchronized JobEvent append(LongFunction<JobEvent> make) {
        JobEvent event = make.apply(nextSequence++);
        events.add(event);
        long now = nanoClock.getAsLong();
        for (JobWatcher w : List.copyOf(watchers.keySet())) {
            w.event(event);
            watchers.replace(w, now);
        }
        if (event.isFinal()) {
            watchers.clear();
        }
        return event;
    }

    /**
     * Keeps and hands out an event numbered elsewhere (a worker's, read from the store); one
     * numbered below {@link #nextSequence()} is already here and is skipped. Returns whether it was new.
     */
    synchronized boolean relay(JobEvent event) {
        if (event.sequence() < nextSequence) {
            return false;
        }
        nextSequence = event.sequence();
        append(seq -> event);
        return true;
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
        watchers.put(watcher, nanoClock.getAsLong()); // attaching counts as activity: the stream just opened
        return () -> detach(watcher);
    }

    private synchronized void detach(JobWatcher watcher) {
        watchers.remove(watcher);
    }

    /**
     * Sends a heartbeat, made by {@code make} from the latest event's sequence (never a number of
     * its own), to every watcher that got nothing for {@code everyNanos} or longer; returns how
     * many got one. Under the same lock as {@link #append}, so a heartbeat never overtakes an event.
     */
    synchronized int heartbeat(long everyNanos, LongFunction<JobEvent> make) {
        long now = nanoClock.getAsLong();
        int sent = 0;
        JobEvent beat = null;
        for (Map.Entry<JobWatcher, Long> w : List.copyOf(watchers.entrySet())) {
            if (now - w.getValue() < everyNanos) {
                continue;
            }
            if (beat == null) {
                beat = make.apply(nextSequence - 1);
            }
            w.getKey().event(beat);
            watchers.replace(w.getKey(), now);
            sent++;
        }
        return sent;
    }

    /** Forgets every event but the final one: an ended job's progress is history the record already keeps. */
    synchronized void keepFinalOnly() {
        events.removeIf(e -> !e.isFinal());
    }

    /** Ends every watcher's stream without a final event. */
    synchronized void closeWatchers(ErrorKind kind, String message) {
        for (JobWatcher w : List.copyOf(watchers.keySet())) {
            w.closed(kind, message);
        }
        watchers.clear();
    }
}
