package dev.trellis.controlplane.audit;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.PageRequest;
import dev.trellis.controlplane.web.Page;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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
        jdbc.sql("""
                        INSERT INTO audit_events (tenant_id, at, actor, action, resource, before, after)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")
                .params(tenantId, Timestamp.from(TenantTransactions.now()), actor, action, resource,
                        json(before), json(after))
                .update();
    }

    /** Newest first; the cursor is the last event id seen. */
    public Page<AuditEvent> page(String tenantId, PageRequest request) {
        long before = request.after().isEmpty() ? Long.MAX_VALUE : parseId(request.after());
        List<AuditEvent> rows = jdbc.sql("""
                        SELECT id, at, actor, action, resource, before::text, after::text FROM audit_events
                        WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?""")
                .params(tenantId, before, request.fetchSize())
                .query(AuditLog::event)
                .list();
        return Page.of(rows, request, AuditEvent::id);
    }

    private static long parseId(String cursor) {
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw dev.trellis.controlplane.web.InvalidRequest.of("cursor", "is not a cursor this API returned");
        }
    }

    private static AuditEvent event(ResultSet rs, int row) throws SQLException {
        return new AuditEvent(Long.toString(rs.getLong(1)), rs.getTimestamp(2).toInstant(), rs.getString(3),
                rs.getString(4), rs.getString(5), tree(rs.getString(6)), tree(rs.getString(7)));
    }

    private static String json(JsonNode node) {
        return node == null ? null : JSON.writeValueAsString(node);
    }

    private static JsonNode tree(String text) {
        return text == null ? null : JSON.readTree(text);
    }
}
