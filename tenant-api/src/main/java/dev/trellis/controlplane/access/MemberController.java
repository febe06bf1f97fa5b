package dev.trellis.controlplane.access;

import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;
import java.util.Set;

/** {@code /v1/members}: roles of OIDC subjects in the caller's tenant. Anyone reads; admins and owners write. */
@RestController
@RequestMapping("/v1/members")
class MemberController {
    private final TenantTransactions transactions;
    private final Members members;
    private final AuditLog audit;
    private final JsonMapper json;

    MemberController(TenantTransactions transactions, Members members, AuditLog audit, JsonMapper json) {
        this.transactions = transactions;
        this.members = members;
        this.audit = audit;
        this.json = json;
    }

    @GetMapping
    Page<Member> list(@AuthenticationPrincipal Caller caller,
                      @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        PageRequest page = PageRequest.of(limit, cursor);
        return transactions.inTenant(caller.tenantId(), () -> members.page(caller.tenantId(), page));
    }

    @GetMapping("/{subject}")
    Member get(@AuthenticationPrincipal Caller caller, @PathVariable String subject) {
        return transactions.inTenant(caller.tenantId(),
                () -> members.find(caller.tenantId(), subject).orElseThrow(() -> new MemberNotFound(subject)));
    }

    @PutMapping("/{subject}")
    Member put(@AuthenticationPrincipal Caller caller, @PathVariable String subject,
               @RequestBody(required = false) byte[] body) {
        caller.require(Role.ADMIN);
        checkSubject(subject);
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("role", "subject", "createdAt", "updatedAt"));
        Role role = document.parsed("role", Role::parse, "must be one of owner, admin, editor, viewer");
        document.optionalText("subject").filter(s -> !s.equals(subject))
                .ifPresent(s -> document.violation("subject", "differs from the subject in the URL"));
        document.check();
        return transactions.inTenant(caller.tenantId(), () -> {
            Optional<Member> before = members.find(caller.tenantId(), subject);
            if (role == Role.OWNER || before.map(m -> m.role() == Role.OWNER).orElse(false)) caller.require(Role.OWNER);
            if (before.isPresent() && before.get().role() == role) return before.get();
            Member after = members.put(caller.tenantId(), subject, role);
            audit.record(caller, "member.put", "members/" + subject,
                    before.<JsonNode>map(json::valueToTree).orElse(null), json.valueToTree(after));
            return after;
        });
    }

    @DeleteMapping("/{subject}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@AuthenticationPrincipal Caller caller, @PathVariable String subject) {
        caller.require(Role.ADMIN);
        transactions.inTenant(caller.tenantId(), () -> {
            Member before = members.find(caller.tenantId(), subject).orElseThrow(() -> new MemberNotFound(subject));
            if (before.role() == Role.OWNER) caller.require(Role.OWNER);
            members.delete(caller.tenantId(), subject);
            audit.record(caller, "member.delete", "members/" + subject, json.valueToTree(before), null);
            return null;
        });
    }

    private static void checkSubject(String subject) {
        if (subject.isEmpty() || subject.length() > 255 || subject.chars().anyMatch(Character::isISOControl)) {
            throw InvalidRequest.of("subject", "must have 1 to 255 characters and no control characters");
        }
    }
}
