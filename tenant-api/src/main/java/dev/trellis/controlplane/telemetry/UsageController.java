package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.FleetProxy;
import dev.trellis.controlplane.web.JsonBody;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/fleet/usage}: a proxy's usage report (authenticated as that proxy; the tenant, mesh
 * and service are the proxy's own, never the report's). Answers 200 both when the report is counted
 * now and when it had been counted before ({@code duplicate}), so a proxy that resends after a
 * timeout stops resending.
 */
@RestController
class UsageController {
    private final UsageIngest ingest;

    UsageController(UsageIngest ingest) {
        this.ingest = ingest;
    }

    record Accepted(long sequence, boolean duplicate) {
    }

    @PostMapping("/v1/fleet/usage")
    Accepted report(@AuthenticationPrincipal FleetProxy proxy, @RequestBody(required = false) byte[] body,
                    HttpServletRequest request) {
        var now = TenantTransactions.now();
        UsageReport report = UsageReport.read(JsonBody.object(body), proxy.id(), now);
        // The proxy was let in on this replica's memory of its token: the insert checks its row again.
        byte[] tokenHash = (byte[]) request.getAttribute(FleetProxy.TOKEN_HASH);
        return new Accepted(report.sequence(), !ingest.ingest(proxy, tokenHash, report, now));
    }
}
