package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Invoices: drafts computed from stored usage, finalised once the period's grace is over. Finalising
 * locks the tenant's period row FOR UPDATE (ingestion holds it FOR SHARE), computes, stores the invoice
 * and marks the period in one transaction, so across replicas and crashes a period is finalised once:
 * the transaction either commits all of it or nothing, and whoever comes second finds it done.
 */
public final class Invoices {
    private final TenantScope scope;
    private final JdbcClient jdbc;
    private final Subscriptions subscriptions;
    private final Clock clock;
    private final Duration grace;
    private final int closeThreads;

    Invoices(TenantScope scope, Subscriptions subscriptions, Clock clock, Duration grace, int closeThreads) {
        this.scope = scope;
        this.jdbc = scope.jdbc();
        this.subscriptions = subscriptions;
        this.clock = clock;
        this.grace = grace;
        this.closeThreads = closeThreads;
    }

    /** The tenant's invoice for a period: the stored one if finalised, else a draft from the usage so far. */
    public Invoice invoice(String tenantId, Period period) {
        return scope.inTenant(tenantId, () -> stored(tenantId, period).orElseGet(() -> compute(tenantId, period)));
    }

    /** The invoice an id names, if it is this tenant's and its period has begun; another tenant's id is not found. */
    public Optional<Invoice> find(String tenantId, String id) {
        String suffix = "-" + tenantId;
        if (!id.startsWith("inv-") || !id.endsWith(suffix) || id.length() != 10 + suffix.length()) return Optional.empty();
        Optional<Period> period = Period.parse(id.substring(4, 8) + "-" + id.substring(8, 10));
        if (period.isEmpty() || !Invoice.idOf(tenantId, period.get()).equals(id)
                || period.get().compareTo(Period.of(clock.instant())) > 0) {
            return Optional.empty();
        }
        return Optional.of(invoice(tenantId, period.get()));
    }

    /** Every finalised invoice and the drafts of the periods still open, newest first. */
    public List<Invoice> list(String tenantId) {
        return scope.inTenant(tenantId, () -> {
            TreeSet<Period> periods = new TreeSet<>(java.util.Comparator.reverseOrder());
            periods.add(Period.of(clock.instant()));
            jdbc.sql("SELECT period FROM billing_periods WHERE tenant_id = ?").param(tenantId)
                    .query(LocalDate.class).list().forEach(day -> periods.add(new Period(YearMonth.from(day))));
            List<Invoice> invoices = new ArrayList<>();
            for (Period period : periods) invoices.add(stored(tenantId, period).orElseGet(() -> compute(tenantId, period)));
            return invoices;
        });
    }

    /**
     * The invoice recomputed from the stored usage and subscriptions, whatever is stored: for a
     * finalised invoice, equal to it (same hash) unless something changed what it was computed from.
     */
    public Invoice recompute(String tenantId, Period period) {
        return scope.inTenant(tenantId, () -> compute(tenantId, period));
    }

    /**
     * Finalises the tenant's invoice for a period whose grace is over; answers the finalised invoice
     * (the one stored earlier when another replica, or an earlier attempt, was first).
     *
     * @throws PeriodStillOpen while late reports are still accepted for the period
     */
    public Invoice finalizeInvoice(String tenantId, Period period) {
        return finalizeOnce(tenantId, period, clock.instant()).invoice();
    }

    private record Finalized(Invoice invoice, boolean byThisCall) {
    }

    private Finalized finalizeOnce(String tenantId, Period period, Instant asOf) {
        if (asOf.isBefore(period.graceEnd(grace))) throw new PeriodStillOpen(period, period.graceEnd(grace));
        Instant now = clock.instant();
        return scope.inTenant(tenantId, () -> {
            lockPeriod(tenantId, period, true);
            Optional<Invoice> done = stored(tenantId, period);
            if (done.isPresent()) return new Finalized(done.get(), false);
            Invoice draft = compute(tenantId, period);
            Invoice invoice = Invoice.of(tenantId, period, Invoice.Status.FINALIZED, draft.currency(), draft.lines(),
                    now.truncatedTo(ChronoUnit.MICROS));
            store(invoice);
            jdbc.sql("UPDATE billing_periods SET finalized_at = ? WHERE tenant_id = ? AND period = ?")
                    .params(Timestamp.from(invoice.finalizedAt()), tenantId, Date.valueOf(period.firstDay()))
                    .update();
            return new Finalized(invoice, true);
        });
    }

    /** Finalises every tenant's invoice for the period (those with usage or a subscription); answers how many it finalised. */
    public int closePeriod(Period period) {
        return closePeriod(period, clock.instant());
    }

    /**
     * Closes the period as the clock would at {@code asOf}: refused while the period's grace is open at
     * that instant. An {@code asOf} ahead of the clock is the operator closing a month early (a tenant
     * leaving, a month-end rehearsal): what is stored now is finalised, and the month's reports that
     * arrive later are late ({@link UsageLedger} refuses reports of a finalised period), never added.
     * The invoices' {@code finalizedAt} is the clock's time, not {@code asOf}.
     */
    public int closePeriod(Period period, Instant asOf) {
        if (asOf.isBefore(period.graceEnd(grace))) throw new PeriodStillOpen(period, period.graceEnd(grace));
        List<String> tenants = scope.withoutTenant(() -> jdbc.sql("SELECT tenant_id FROM billing_unfinalized_tenants(?)")
                .param(Date.valueOf(period.firstDay())).query(String.class).list());
        // Each tenant in a transaction of its own, a few at once: the database, not this loop, is the bottleneck.
        try (ExecutorService workers = Executors.newFixedThreadPool(closeThreads)) {
            List<Future<Finalized>> results = new ArrayList<>();
            for (String tenant : tenants) results.add(workers.submit(() -> finalizeOnce(tenant, period, asOf)));
            int finalized = 0;
            for (Future<Finalized> result : results) {
                if (result.get().byThisCall()) finalized++;
            }
            return finalized;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing " + period, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) throw failure;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Ensures the tenant's period row exists and locks it: FOR UPDATE to finalise, FOR SHARE to ingest. Answers when it was finalised. */
    Optional<Instant> lockPeriod(String tenantId, Period period, boolean exclusive) {
        Date day = Date.valueOf(period.firstDay());
        // The row exists for every report after a period's first, so it is locked first and made only when missing:
        // one statement per report instead of two.
        Optional<Optional<Instant>> locked = lockedPeriod(tenantId, day, exclusive);
        if (locked.isPresent()) return locked.get();
        jdbc.sql("INSERT INTO billing_periods (tenant_id, period) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(tenantId, day).update();
        return lockedPeriod(tenantId, day, exclusive).orElseThrow();
    }

    private Optional<Optional<Instant>> lockedPeriod(String tenantId, Date day, boolean exclusive) {
        return jdbc.sql("SELECT finalized_at FROM billing_periods WHERE tenant_id = ? AND period = ? FOR "
                        + (exclusive ? "UPDATE" : "SHARE"))
                .params(tenantId, day)
                .query((rs, n) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant))
                .optional();
    }

    private Invoice compute(String tenantId, Period period) {
        List<Rating.Segment> segments = new ArrayList<>();
        List<Subscription> during = subscriptions.during(tenantId, period.start(), period.end());
        for (int i = 0; i < during.size(); i++) {
            Instant from = during.get(i).effectiveFrom();
            Instant to = i + 1 < during.size() ? during.get(i + 1).effectiveFrom() : period.end();
            segments.add(new Rating.Segment(during.get(i).plan(), from, to, usage(tenantId, from, to)));
        }
        Currency currency = during.getLast().plan().currency();
        return Invoice.of(tenantId, period, Invoice.Status.DRAFT, currency, Rating.lines(period, segments), null);
    }

    private Usage usage(String tenantId, Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT coalesce(sum(proxy_seconds), 0), coalesce(sum(requests), 0), count(DISTINCT mesh)
                        FROM billing_usage_reports WHERE tenant_id = ? AND event_time >= ? AND event_time < ?""")
                .params(tenantId, Timestamp.from(from), Timestamp.from(to))
                .query((rs, n) -> new Usage(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                .single();
    }

    private void store(Invoice invoice) {
        jdbc.sql("""
                        INSERT INTO invoices (id, tenant_id, period, currency, total_minor, content_hash, finalized_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .params(invoice.id(), invoice.tenantId(), Date.valueOf(invoice.period().firstDay()),
                        invoice.currency().getCurrencyCode(), invoice.totalMinor(), invoice.contentHash(),
                        Timestamp.from(invoice.finalizedAt()))
                .update();
        List<Object> values = new ArrayList<>();
        int number = 0;
        for (InvoiceLine l : invoice.lines()) {
            values.addAll(List.of(invoice.id(), number++, invoice.tenantId(), l.meter().wireName(), l.planId(), l.planVersion(),
                    Timestamp.from(l.from()), Timestamp.from(l.to()), l.quantity(), l.included(), l.billable(),
                    l.unitPriceMinor(), l.amountMinor()));
        }
        jdbc.sql("""
                        INSERT INTO invoice_lines (invoice_id, line_no, tenant_id, meter, plan_id, plan_version, from_time,
                                                   to_time, quantity, included, billable, unit_price_minor, amount_minor)
                        VALUES """ + String.join(", ", java.util.Collections.nCopies(invoice.lines().size(),
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
                .params(values)
                .update();
    }

    private Optional<Invoice> stored(String tenantId, Period period) {
        record Head(String id, Currency currency, long total, String hash, Instant finalizedAt) {
        }
        Optional<Head> head = jdbc.sql("""
                        SELECT id, currency, total_minor, content_hash, finalized_at FROM invoices
                        WHERE tenant_id = ? AND period = ?""")
                .params(tenantId, Date.valueOf(period.firstDay()))
                .query((rs, n) -> new Head(rs.getString(1), Currency.getInstance(rs.getString(2)), rs.getLong(3),
                        rs.getString(4), rs.getTimestamp(5).toInstant()))
                .optional();
        return head.map(h -> {
            long month = period.seconds();
            List<InvoiceLine> lines = jdbc.sql("""
                            SELECT meter, plan_id, plan_version, from_time, to_time, quantity, included, billable,
                                   unit_price_minor, amount_minor
                            FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no""")
                    .param(h.id())
                    .query((rs, n) -> {
                        Meter meter = Meter.ofWireName(rs.getString(1));
                        return new InvoiceLine(meter, rs.getString(2), rs.getInt(3), rs.getTimestamp(4).toInstant(),
                                rs.getTimestamp(5).toInstant(), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                                Rating.per(meter, month), rs.getLong(10));
                    })
                    .list();
            return new Invoice(h.id(), tenantId, period, Invoice.Status.FINALIZED, h.currency(), lines, h.total(),
                    h.hash(), h.finalizedAt());
        });
    }
}
