package dev.trellis.controlplane.access;

import dev.trellis.controlplane.audit.AuditEvent;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/audit-events}: the tenant's changes, newest first. Admins and owners only. It lives
 * with the other access endpoints: the audit log itself knows nothing of callers and roles.
 */
@RestController
class AuditController {
    private final TenantTransactions transactions;
    private final AuditLog log;

    AuditController(TenantTransactions transactions, AuditLog log) {
        this.transactions = transactions;
        this.log = log;
    }

    @GetMapping("/v1/audit-events")
    Page<AuditEvent> list(@AuthenticationPrincipal Caller caller,
                          @RequestParam(required = false) String limit,
                          @RequestParam(required = false) String cursor) {
        caller.require(Role.ADMIN);
        PageRequest page = PageRequest.of(limit, cursor);
        return transactions.inTenant(caller.tenantId(), () -> log.page(caller.tenantId(), page));
    }
}
