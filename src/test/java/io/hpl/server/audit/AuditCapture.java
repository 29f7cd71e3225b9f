package io.hpl.server.audit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Collects what is logged on the audit category, through a handler on that logger (the same JBoss
 * LogManager the application logs to, in unit tests and in @QuarkusTest): the formatted line and its
 * MDC fields, the ones JSON logs carry. Close it to take the handler off.
 */
public final class AuditCapture extends Handler implements AutoCloseable {
    /** One captured line. */
    public record Line(String message, Map<String, String> fields) { }

    private final Logger logger = Logger.getLogger(AuditLog.CATEGORY);
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    public AuditCapture() {
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            Map<String, String> fields = new java.util.TreeMap<>();
            ext.getMdcCopy().forEach((k, v) -> fields.put(k, String.valueOf(v)));
            lines.add(new Line(ext.getFormattedMessage(), fields));
        } else {
            lines.add(new Line(record.getMessage(), Map.of()));
        }
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The lines whose audit.method is the given full method name. */
    public List<Line> of(String fullMethod) {
        return lines.stream().filter(l -> fullMethod.equals(l.fields().get("audit.method"))).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
