package dev.trellis.billing;

import java.time.Instant;
import java.util.Objects;

/**
 * What one fleet report contributes to billing: counted once per {@code (proxyId, sequence)},
 * whatever replica receives it and however often it is resent (the first one stored wins).
 *
 * @param tenantId     the proxy's tenant, from its credential, never from the report's body
 * @param proxyId      the reporting proxy
 * @param sequence     the proxy's report number, increasing
 * @param mesh         the proxy's mesh
 * @param eventTime    the end of the interval the report covers, by the proxy's clock; it decides the period
 * @param proxySeconds connected seconds the report covers (the uptime since the proxy's previous report)
 * @param requests     requests handled in that interval
 */
public record UsageReport(String tenantId, String proxyId, long sequence, String mesh, Instant eventTime,
                          long proxySeconds, long requests) {
    public UsageReport {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(proxyId, "proxyId");
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(eventTime, "eventTime");
        if (sequence < 0 || proxySeconds < 0 || requests < 0) {
            throw new IllegalArgumentException("sequence, proxySeconds and requests must not be negative");
        }
    }
}
