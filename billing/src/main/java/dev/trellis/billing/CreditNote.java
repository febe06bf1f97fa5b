package dev.trellis.billing;

import java.time.Instant;

/** A correction to a finalised invoice, which itself never changes: an amount credited back, and why. */
public record CreditNote(String id, String invoiceId, Money amount, String reason, String createdBy, Instant createdAt) {
}
