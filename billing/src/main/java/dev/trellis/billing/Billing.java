package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;

/**
 * Billing, wired: one per process (a control plane replica), over the shared database. Every part
 * runs in the caller's transaction when there is one, bound to the tenant concerned.
 *
 * @param plans         the catalogue
 * @param subscriptions which plan each tenant is on
 * @param usage         the ingestion contract ({@link UsageLedger#record(UsageReport)}) and usage queries
 * @param invoices      drafts, finalisation, periods
 * @param quotas        limits checked where they bite
 * @param planChanges   moving a tenant to another plan
 * @param creditNotes   corrections to finalised invoices
 */
public record Billing(Plans plans, Subscriptions subscriptions, UsageLedger usage, Invoices invoices, Quotas quotas,
                      PlanChanges planChanges, CreditNotes creditNotes, Settings settings) {

    /**
     * @param grace        how long after a month ends its late reports are still accepted
     * @param defaultPlan  the plan of a tenant that has never chosen one
     * @param closeThreads how many tenants' invoices closing a month finalises at once
     */
    public record Settings(Duration grace, String defaultPlan, int closeThreads) {
        public static final Settings DEFAULTS = new Settings(Duration.ofHours(48), "free", 4);

        public Settings(Duration grace, String defaultPlan) {
            this(grace, defaultPlan, DEFAULTS.closeThreads());
        }

        public Settings {
            if (closeThreads < 1) throw new IllegalArgumentException("closeThreads must be at least 1");
        }
    }

    public static Billing create(TransactionTemplate transactions, JdbcClient jdbc, Clock clock, Settings settings) {
        TenantScope scope = new TenantScope(transactions, jdbc);
        Plans plans = new Plans(jdbc);
        Subscriptions subscriptions = new Subscriptions(scope, plans, settings.defaultPlan());
        Invoices invoices = new Invoices(scope, subscriptions, clock, settings.grace(), settings.closeThreads());
        return new Billing(plans, subscriptions, new UsageLedger(scope, invoices, clock, settings.grace()), invoices,
                new Quotas(scope, subscriptions, clock),
                new PlanChanges(scope, plans, subscriptions, invoices, clock, settings.grace()),
                new CreditNotes(scope, invoices, clock), settings);
    }
}
