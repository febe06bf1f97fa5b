package dev.trellis.billing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Currency;
import java.util.HexFormat;
import java.util.List;

/**
 * A tenant's invoice for one calendar month (UTC). A {@code draft} is computed from the usage stored
 * so far and changes while the period's grace is open; a {@code finalized} one is stored and never
 * changes (a correction is a credit note). The hash covers the tenant, period, currency, every line
 * (with the plan version it was rated with) and the total, so recomputing from the stored usage and
 * comparing hashes proves the invoice reproducible.
 *
 * @param finalizedAt null for a draft
 */
public record Invoice(String id, String tenantId, Period period, Status status, Currency currency,
                      List<InvoiceLine> lines, long totalMinor, String contentHash, Instant finalizedAt) {

    public enum Status {
        DRAFT, FINALIZED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Invoice of(String tenantId, Period period, Status status, Currency currency, List<InvoiceLine> lines,
                      Instant finalizedAt) {
        long total = Rating.total(lines);
        return new Invoice(idOf(tenantId, period), tenantId, period, status, currency, List.copyOf(lines), total,
                hash(tenantId, period, currency, lines, total), finalizedAt);
    }

    public Money total() {
        return new Money(totalMinor, currency);
    }

    /** The plan versions the lines were rated with, in order ({@code team@1}). */
    public List<String> planVersions() {
        return lines.stream().map(l -> l.planId() + "@" + l.planVersion()).distinct().toList();
    }

    /** {@code inv-202611-<tenant>}: one invoice per tenant and month, the same id as draft and finalised. */
    public static String idOf(String tenantId, Period period) {
        return "inv-" + period.month().toString().replace("-", "") + "-" + tenantId;
    }

    /** The tenant an invoice id names, if it has the shape of one. */
    public static java.util.Optional<String> tenantOf(String id) {
        return id.length() > 11 && id.startsWith("inv-") && id.charAt(10) == '-'
                ? java.util.Optional.of(id.substring(11)) : java.util.Optional.empty();
    }

    static String hash(String tenantId, Period period, Currency currency, List<InvoiceLine> lines, long total) {
        StringBuilder canonical = new StringBuilder()
                .append("trellis-invoice/1\n").append(tenantId).append('\n').append(period).append('\n')
                .append(currency.getCurrencyCode()).append('\n');
        for (InvoiceLine l : lines) {
            canonical.append(String.join("|", l.meter().wireName(), l.planId(), Integer.toString(l.planVersion()),
                    l.from().toString(), l.to().toString(), Long.toString(l.quantity()), Long.toString(l.included()),
                    Long.toString(l.billable()), Long.toString(l.unitPriceMinor()), Long.toString(l.per()),
                    Long.toString(l.amountMinor()))).append('\n');
        }
        canonical.append(total).append('\n');
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
