package dev.trellis.controlplane.billing;

import dev.trellis.billing.CreditNote;
import dev.trellis.billing.Invoice;
import dev.trellis.billing.InvoiceLine;
import dev.trellis.billing.Limits;
import dev.trellis.billing.Money;
import dev.trellis.billing.Plan;
import dev.trellis.billing.Subscription;
import dev.trellis.billing.Usage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON documents of the billing API (openapi/trellis.yaml, "billing"); money is always minor units plus the exact decimal. */
final class BillingDocuments {
    private BillingDocuments() {
    }

    record Prices(long baseMinor, long endpointHourMinor, long millionRequestsMinor, long meshMonthMinor) {
    }

    record Included(long endpointHours, long requests, long meshes) {
    }

    record LimitsDocument(Integer meshes, Integer services, Integer connectedProxies) {
        static LimitsDocument of(Limits limits) {
            return new LimitsDocument(limits.meshes(), limits.services(), limits.connectedProxies());
        }
    }

    record PlanDocument(String id, int version, String name, String currency, int currencyExponent, boolean selfService,
                        Instant publishedAt, Prices prices, Included included, LimitsDocument limits) {
        static PlanDocument of(Plan plan) {
            return new PlanDocument(plan.id(), plan.version(), plan.name(), plan.currency().getCurrencyCode(),
                    plan.currency().getDefaultFractionDigits(), plan.selfService(), plan.publishedAt(),
                    new Prices(plan.baseMinor(), plan.endpointHourMinor(), plan.millionRequestsMinor(), plan.meshMinor()),
                    new Included(plan.endpointHoursIncluded(), plan.requestsIncluded(), plan.meshesIncluded()),
                    LimitsDocument.of(plan.limits()));
        }
    }

    record Counts(long meshes, long services, long connectedProxies) {
    }

    /** The tenant's plan now: the version, since when, the limits in force (custom ones applied) and what it has of each. */
    record SubscriptionDocument(PlanDocument plan, Instant effectiveFrom, LimitsDocument limits, Counts current) {
        static SubscriptionDocument of(Subscription subscription, QuotaChecks.Counts counts) {
            return new SubscriptionDocument(PlanDocument.of(subscription.plan()),
                    subscription.effectiveFrom().equals(Instant.EPOCH) ? null : subscription.effectiveFrom(),
                    LimitsDocument.of(subscription.limits()),
                    counts == null ? null : new Counts(counts.meshes(), counts.services(), counts.connectedProxies()));
        }
    }

    record Items<T>(List<T> items, String nextCursor) {
        Items(List<T> items) {
            this(items, null);
        }
    }

    record MeterTotals(long proxySeconds, long requests, long meshes) {
        static MeterTotals of(Usage usage) {
            return new MeterTotals(usage.proxySeconds(), usage.requests(), usage.meshes());
        }
    }

    record MeshUsage(String mesh, long proxySeconds, long requests) {
    }

    record UsageDocument(Instant from, Instant to, MeterTotals total, List<MeshUsage> meshes) {
        static UsageDocument of(Instant from, Instant to, Map<String, Usage> byMesh) {
            long seconds = 0;
            long requests = 0;
            for (Usage usage : byMesh.values()) {
                seconds += usage.proxySeconds();
                requests += usage.requests();
            }
            return new UsageDocument(from, to, new MeterTotals(seconds, requests, byMesh.size()),
                    byMesh.entrySet().stream().map(e -> new MeshUsage(e.getKey(), e.getValue().proxySeconds(),
                            e.getValue().requests())).toList());
        }
    }

    record TenantUsage(String tenant, long proxySeconds, long requests, long meshes) {
    }

    record LineDocument(String meter, String unit, String plan, int planVersion, Instant from, Instant to, long quantity,
                        long included, long billable, long unitPriceMinor, long per, long amountMinor, String amount) {
        static LineDocument of(InvoiceLine line, Invoice invoice) {
            return new LineDocument(line.meter().wireName(), line.meter().unit(), line.planId(), line.planVersion(),
                    line.from(), line.to(), line.quantity(), line.included(), line.billable(), line.unitPriceMinor(),
                    line.per(), line.amountMinor(), new Money(line.amountMinor(), invoice.currency()).decimal());
        }
    }

    record InvoiceSummary(String id, String period, String status, String currency, long totalMinor, String total,
                          String contentHash) {
        static InvoiceSummary of(Invoice invoice) {
            return new InvoiceSummary(invoice.id(), invoice.period().toString(), invoice.status().wireName(),
                    invoice.currency().getCurrencyCode(), invoice.totalMinor(), invoice.total().decimal(), invoice.contentHash());
        }
    }

    record CreditNoteDocument(String id, String invoice, long amountMinor, String amount, String reason, Instant createdAt) {
        static CreditNoteDocument of(CreditNote note) {
            return new CreditNoteDocument(note.id(), note.invoiceId(), note.amount().minor(), note.amount().decimal(),
                    note.reason(), note.createdAt());
        }
    }

    /** An invoice; its credit notes are listed beside it and never change it (its hash covers the invoice alone). */
    record InvoiceDocument(String id, String period, String status, String currency, int currencyExponent,
                           List<String> planVersions, List<LineDocument> lines, long totalMinor, String total,
                           String contentHash, Instant finalizedAt, long lateReports, List<CreditNoteDocument> creditNotes,
                           long creditedMinor) {
        static InvoiceDocument of(Invoice invoice, long lateReports, List<CreditNote> creditNotes) {
            return new InvoiceDocument(invoice.id(), invoice.period().toString(), invoice.status().wireName(),
                    invoice.currency().getCurrencyCode(), invoice.currency().getDefaultFractionDigits(),
                    invoice.planVersions(), invoice.lines().stream().map(l -> LineDocument.of(l, invoice)).toList(),
                    invoice.totalMinor(), invoice.total().decimal(), invoice.contentHash(), invoice.finalizedAt(), lateReports,
                    creditNotes.stream().map(CreditNoteDocument::of).toList(),
                    creditNotes.stream().mapToLong(n -> n.amount().minor()).sum());
        }
    }

    record Closed(String period, int finalized) {
    }
}
