package dev.trellis.billing;

import java.time.Instant;

/**
 * One line: a meter over the part {@code [from, to)} of the period that one plan version was in force.
 * {@code amountMinor = round_half_up(billable × unitPriceMinor ÷ per)} (for the fee and meshes, the
 * billable quantity is also weighted by the seconds of the month covered); the only rounding.
 *
 * @param quantity       what was used (seconds, requests, meshes; the fee: seconds of the plan in force)
 * @param included       what the plan gives for nothing over this part of the month
 * @param billable       {@code max(0, quantity − included)}
 * @param unitPriceMinor the plan's price of {@code per} units
 * @param per            how many units the price is for (3600 seconds, 1,000,000 requests, one month in seconds)
 */
public record InvoiceLine(Meter meter, String planId, int planVersion, Instant from, Instant to, long quantity,
                          long included, long billable, long unitPriceMinor, long per, long amountMinor) {
}
