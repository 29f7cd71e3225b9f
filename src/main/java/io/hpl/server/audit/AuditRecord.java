package io.hpl.server.audit;

import java.util.Map;

/** One audited call: who (key name, or "anonymous" with authentication off), what (method and ids), outcome. */
public record AuditRecord(String principal, String method, Map<String, String> targets, String outcome) {
    public AuditRecord {
        targets = Map.copyOf(targets);
    }
}
