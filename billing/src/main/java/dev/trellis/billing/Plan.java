package dev.trellis.billing;

import java.time.Instant;
import java.util.Currency;

/**
 * One version of a plan: immutable, so a price change is a new version and an invoice names the
 * version it was rated with. Prices are integers in the currency's minor unit.
 *
 * @param baseMinor             fee per calendar month
 * @param endpointHourMinor     price of one endpoint-hour (connected proxy time, metered per second)
 * @param endpointHoursIncluded endpoint-hours per month that cost nothing
 * @param millionRequestsMinor  price of one million requests
 * @param requestsIncluded      requests per month that cost nothing
 * @param meshMinor             price of one mesh for a month
 * @param meshesIncluded        meshes that cost nothing
 * @param selfService           whether a tenant's owner or admin may choose it (enterprise is set by the operator)
 */
public record Plan(String id, int version, String name, Currency currency, long baseMinor,
                   long endpointHourMinor, long endpointHoursIncluded, long millionRequestsMinor, long requestsIncluded,
                   long meshMinor, long meshesIncluded, Limits limits, boolean selfService, Instant publishedAt) {

    /** How invoices and problem documents name it: {@code team@1}. */
    public String reference() {
        return id + "@" + version;
    }
}
