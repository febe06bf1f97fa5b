package dev.trellis.controlplane.tenant;

import dev.trellis.controlplane.access.ApiKeys;
import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Creates a tenant with its first owner API key, in one transaction. */
@Service
public class TenantSignup {
    private final TenantTransactions transactions;
    private final Tenants tenants;
    private final ApiKeys keys;
    private final AuditLog audit;
    private final JsonMapper json;

    TenantSignup(TenantTransactions transactions, Tenants tenants, ApiKeys keys, AuditLog audit, JsonMapper json) {
        this.transactions = transactions;
        this.tenants = tenants;
        this.keys = keys;
        this.audit = audit;
        this.json = json;
    }

    /** The new tenant and its owner key's plain text, shown once. */
    public record SignedUp(Tenant tenant, String apiKey) {
    }

    /** @throws TenantNameTaken when another tenant has the name */
    public SignedUp signUp(String name, String actor) {
        // The id is part of SPIFFE identities (spiffe://<id>.trellis/...), so it is a DNS label too.
        String id = "t" + MintedCredential.randomId(15);
        try {
            return transactions.inTenant(id, () -> {
                Tenant tenant = new Tenant(id, name, TenantTransactions.now());
                tenants.insert(tenant);
                ApiKeys.Created key = keys.create(id, "owner", Role.OWNER, actor);
                audit.record(id, actor, "tenant.create", "tenant", null, json.valueToTree(tenant));
                return new SignedUp(tenant, key.token());
            });
        } catch (DuplicateKeyException e) {
            throw new TenantNameTaken(name);
        }
    }
}
