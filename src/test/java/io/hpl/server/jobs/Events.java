package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.hpl.server.errors.ErrorKind;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects a job's events, for the jobs tests; awaitEnd() returns once the final one (or a close) came. */
final class Events implements JobWatcher {
    private static final Duration WAIT = Duration.ofMinutes(2);

    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    @Override
    public void event(JobEvent event) {
        received.add(event);
    }

    @Override
    public void closed(ErrorKind kind, String message) {
        received.add(kind + ": " + message);
    }

    Object awaitEnd() throws InterruptedException {
        while (true) {
            Object next = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(next, "no final event within " + WAIT);
            if (!(next instanceof JobEvent e) || e.isFinal()) {
                return next;
            }
        }
    }
}
