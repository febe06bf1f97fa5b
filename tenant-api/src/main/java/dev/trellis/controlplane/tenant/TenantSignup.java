package dev.trellis.controlplane.tenant;

import dev.trellis.controlplane.access.ApiKeys;
import dev.trellis.controlplane.access.Memberships;
import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.util.function.Function;

/** Creates a tenant with its first owner (an API key, or a person as a member), in one transaction. */
@Service
public class TenantSignup {
    private final TenantTransactions transactions;
    private final Tenants tenants;
    private final ApiKeys keys;
    private final AuditLog audit;
    private final JsonMapper json;
    private final Memberships members;

    TenantSignup(TenantTransactions transactions, Tenants tenants, ApiKeys keys, AuditLog audit, JsonMapper json,
                 Memberships members) {
        this.members = members;
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
        return create(name, actor, id -> keys.create(id, "owner", Role.OWNER, actor).token());
    }

    /**
     * Self-service sign-up of a person (the portal's first sign-in): a new tenant whose first owner is
     * the OIDC subject, as a member; no API key is minted (the owner makes one when needed).
     *
     * @throws TenantNameTaken when another tenant has the name
     */
    public Tenant signUpPerson(String name, String subject) {
        return create(name, subject, id -> {
            members.addOwner(id, subject);
            return null;
        }).tenant();
    }

    private SignedUp create(String name, String actor, Function<String, String> firstOwner) {
        // The id is part of SPIFFE identities (spiffe://<id>.trellis/...), so it is a DNS label too.
        String id = "t" + MintedCredential.randomId(15);
        try {
            return transactions.inTenant(id, () -> {
                Tenant tenant = new Tenant(id, name, TenantTransactions.now());
                tenants.insert(tenant);
                String apiKey = firstOwner.apply(id);
                audit.record(id, actor, "tenant.create", "tenant", null, json.valueToTree(tenant));
                return new SignedUp(tenant, apiKey);
            });
        } catch (DuplicateKeyException e) {
            throw new TenantNameTaken(name);
        }
    }
}
