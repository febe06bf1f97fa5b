package dev.trellis.controlplane.access;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/** The members table: a role per OIDC subject, per tenant. */
@Repository
class Members {
    private static final String COLUMNS = "subject, role, created_at, updated_at";
    private final JdbcClient jdbc;
    private final TenantTransactions transactions;

    Members(JdbcClient jdbc, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    Optional<Role> roleOf(String tenantId, String subject) {
        return transactions.inTenant(tenantId, () -> find(tenantId, subject).map(Member::role));
    }

    Optional<Member> find(String tenantId, String subject) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM members WHERE tenant_id = ? AND subject = ?")
                .params(tenantId, subject)
                .query(Members::member)
                .optional();
    }

    Member put(String tenantId, String subject, Role role) {
        Timestamp now = Timestamp.from(TenantTransactions.now());
        return jdbc.sql("""
                        INSERT INTO members (tenant_id, subject, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (tenant_id, subject) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at
                        RETURNING""" + " " + COLUMNS)
                .params(tenantId, subject, role.wireName(), now, now)
                .query(Members::member)
                .single();
    }

    void delete(String tenantId, String subject) {
        jdbc.sql("DELETE FROM members WHERE tenant_id = ? AND subject = ?").params(tenantId, subject).update();
    }

    Page<Member> page(String tenantId, PageRequest request) {
        List<Member> rows = jdbc.sql("SELECT " + COLUMNS + " FROM members WHERE tenant_id = ? AND subject > ? ORDER BY subject LIMIT ?")
                .params(tenantId, request.after(), request.fetchSize())
                .query(Members::member)
                .list();
        return Page.of(rows, request, Member::subject);
    }

    private static Member member(ResultSet rs, int row) throws SQLException {
        return new Member(rs.getString(1), Role.parse(rs.getString(2)).orElseThrow(),
                rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant());
    }
}
