package dev.trellis.controlplane.access;

import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.Optional;

/**
 * Members as a person who signs in needs them: the role in a tenant, the tenant that invited a
 * subject (found before any tenant is known, through the one row-level-security exception that
 * names that subject), and the first owner of a tenant signed up through the portal.
 */
@Component
public class Memberships {
    /** A tenant that lists the subject among its members. */
    public record Invitation(String tenantId, Role role) {
    }

    private final Members members;
    private final JdbcClient jdbc;
    private final TenantTransactions transactions;

    Memberships(Members members, JdbcClient jdbc, TenantTransactions transactions) {
        this.members = members;
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    public Optional<Role> roleOf(String tenantId, String subject) {
        return members.roleOf(tenantId, subject);
    }

    /** The oldest membership of the subject, if any tenant invited it. */
    public Optional<Invitation> invitationOf(String subject) {
        return transactions.withSetting("trellis.member_subject", subject, () -> jdbc
                .sql("SELECT tenant_id, role FROM members WHERE subject = ? ORDER BY created_at, tenant_id LIMIT 1")
                .param(subject)
                .query((rs, row) -> new Invitation(rs.getString(1), Role.parse(rs.getString(2)).orElseThrow()))
                .optional());
    }

    /** Makes the subject an owner; call inside the tenant's transaction. */
    public void addOwner(String tenantId, String subject) {
        members.put(tenantId, subject, Role.OWNER);
    }
}
