package dev.trellis.controlplane.audit;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.PageRequest;
import dev.trellis.controlplane.web.Page;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** Writes audit events inside the transaction of the change they record, so both commit or neither. */
@Repository
public class AuditLog {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final JdbcClient jdbc;

    AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(Actor actor, String action, String resource, JsonNode before, JsonNode after) {
        record(actor.tenantId(), actor.subject(), action, resource, before, after);
    }

    public void record(String tenantId, String actor, String action, String resource, JsonNode before, JsonNode after) {
        Instant at = TenantTransactions.now();
        jdbc.sql("""
                        INSERT INTO audit_events (event_id, tenant_id, at, actor, action, resource, before, after)
                        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")
                .params(AuditEventIds.next(at), tenantId, Timestamp.from(at), actor, action, resource,
                        json(before), json(after))
                .update();
    }

    /** Newest first; the cursor is the last event id seen. */
    public Page<AuditEvent> page(String tenantId, PageRequest request) {
        if (!request.after().isEmpty() && !AuditEventIds.isId(request.after())) {
            throw InvalidRequest.of("cursor", "is not a cursor this API returned");
        }
        List<AuditEvent> rows = request.after().isEmpty()
                ? jdbc.sql("""
                        SELECT event_id, at, actor, action, resource, before::text, after::text FROM audit_events
                        WHERE tenant_id = ? ORDER BY event_id DESC LIMIT ?""")
                        .params(tenantId, request.fetchSize()).query(AuditLog::event).list()
                : jdbc.sql("""
                        SELECT event_id, at, actor, action, resource, before::text, after::text FROM audit_events
                        WHERE tenant_id = ? AND event_id < ? ORDER BY event_id DESC LIMIT ?""")
                        .params(tenantId, request.after(), request.fetchSize()).query(AuditLog::event).list();
        return Page.of(rows, request, AuditEvent::id);
    }

    private static AuditEvent event(ResultSet rs, int row) throws SQLException {
        return new AuditEvent(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                rs.getString(4), rs.getString(5), tree(rs.getString(6)), tree(rs.getString(7)));
    }

    private static String json(JsonNode node) {
        return node == null ? null : JSON.writeValueAsString(node);
    }

    private static JsonNode tree(String text) {
        return text == null ? null : JSON.readTree(text);
    }
}
