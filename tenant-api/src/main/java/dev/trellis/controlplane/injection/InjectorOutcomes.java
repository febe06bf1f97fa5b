package dev.trellis.controlplane.injection;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/** The injector_outcomes table: per injector, how many pods were injected and how many skipped, by reason. */
@Repository
class InjectorOutcomes {
    static final String INJECTED = "injected";
    private final JdbcClient jdbc;

    InjectorOutcomes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void count(String tenantId, String mesh, String injector, String outcome, String namespace, String pod, Instant now) {
        jdbc.sql("""
                        INSERT INTO injector_outcomes (tenant_id, mesh, injector, outcome, count, last_namespace, last_pod, last_at)
                        VALUES (?, ?, ?, ?, 1, ?, ?, ?)
                        ON CONFLICT (tenant_id, mesh, injector, outcome) DO UPDATE
                        SET count = injector_outcomes.count + 1, last_namespace = excluded.last_namespace,
                            last_pod = excluded.last_pod, last_at = excluded.last_at""")
                .params(tenantId, mesh, injector, outcome, namespace, pod, Timestamp.from(now))
                .update();
    }

    /** One outcome's tally and the last pod it happened to. */
    record Outcome(String outcome, long count, String lastNamespace, String lastPod, Instant lastAt) {
    }

    List<Outcome> of(String tenantId, String mesh, String injector) {
        return jdbc.sql("""
                        SELECT outcome, count, last_namespace, last_pod, last_at FROM injector_outcomes
                        WHERE tenant_id = ? AND mesh = ? AND injector = ? ORDER BY last_at DESC, outcome""")
                .params(tenantId, mesh, injector)
                .query((rs, n) -> new Outcome(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()))
                .list();
    }

    void delete(String tenantId, String mesh, String injector) {
        jdbc.sql("DELETE FROM injector_outcomes WHERE tenant_id = ? AND mesh = ? AND injector = ?")
                .params(tenantId, mesh, injector)
                .update();
    }
}
