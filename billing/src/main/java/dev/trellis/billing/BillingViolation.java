package dev.trellis.billing;

/** One reason a billing request was refused, at a JSON path of the request ({@code plan}, {@code effectiveFrom}). */
public record BillingViolation(String field, String message) {
}
