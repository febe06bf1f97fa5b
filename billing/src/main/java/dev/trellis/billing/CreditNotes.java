package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.security.SecureRandom;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Corrections to finalised invoices. A credit note refers to one finalised invoice, in its currency, and
 * all of an invoice's credit notes together never exceed its total; the invoice itself is never edited.
 */
public final class CreditNotes {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final TenantScope scope;
    private final JdbcClient jdbc;
    private final Invoices invoices;
    private final Clock clock;

    CreditNotes(TenantScope scope, Invoices invoices, Clock clock) {
        this.scope = scope;
        this.jdbc = scope.jdbc();
        this.invoices = invoices;
        this.clock = clock;
    }

    /**
     * @throws BillingRefused when the invoice is not finalised, the amount is not positive, or it would credit
     *                        more than what remains of the invoice's total; every reason is listed
     */
    public CreditNote issue(String tenantId, Invoice invoice, long amountMinor, String reason, String actor) {
        return scope.inTenant(tenantId, () -> {
            List<BillingViolation> violations = new ArrayList<>();
            if (invoice.status() != Invoice.Status.FINALIZED) {
                violations.add(new BillingViolation("", invoice.id() + " is a draft; a draft is corrected by the usage it is computed from"));
            } else {
                // Serialises credit notes of one invoice: the finalised period's row.
                invoices.lockPeriod(tenantId, invoice.period(), true);
            }
            long credited = credited(invoice.id());
            if (amountMinor <= 0) violations.add(new BillingViolation("amountMinor", "must be a positive integer of minor units"));
            else if (amountMinor > invoice.totalMinor() - credited) {
                violations.add(new BillingViolation("amountMinor", "at most " + (invoice.totalMinor() - credited)
                        + " remains to be credited on " + invoice.id()));
            }
            if (reason == null || reason.isBlank()) violations.add(new BillingViolation("reason", "is required"));
            if (!violations.isEmpty()) throw new BillingRefused(violations);
            String id = "cn-" + HexFormat.of().formatHex(randomBytes());
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            jdbc.sql("""
                            INSERT INTO credit_notes (id, tenant_id, invoice_id, amount_minor, reason, created_by, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""")
                    .params(id, tenantId, invoice.id(), amountMinor, reason, actor, Timestamp.from(now))
                    .update();
            return new CreditNote(id, invoice.id(), new Money(amountMinor, invoice.currency()), reason, actor, now);
        });
    }

    /** The invoice's credit notes, oldest first. */
    public List<CreditNote> of(String tenantId, Invoice invoice) {
        return scope.inTenant(tenantId, () -> jdbc.sql("""
                        SELECT id, amount_minor, reason, created_by, created_at FROM credit_notes
                        WHERE tenant_id = ? AND invoice_id = ? ORDER BY created_at, id""")
                .params(tenantId, invoice.id())
                .query((rs, n) -> new CreditNote(rs.getString(1), invoice.id(), new Money(rs.getLong(2), invoice.currency()),
                        rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant()))
                .list());
    }

    private long credited(String invoiceId) {
        return jdbc.sql("SELECT coalesce(sum(amount_minor), 0) FROM credit_notes WHERE invoice_id = ?")
                .param(invoiceId).query(Long.class).single();
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
