package dev.trellis.controlplane.fleet;

import dev.trellis.compiler.MeshState;
import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.authority.MeshAuthorities;
import dev.trellis.controlplane.authority.MeshAuthority;
import dev.trellis.controlplane.authority.SigningRequest;
import dev.trellis.billing.QuotaExceeded;
import dev.trellis.controlplane.billing.QuotaChecks;
import dev.trellis.controlplane.billing.RegistrationRefusals;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * Registration and renewal: a join token (spent once) and a CSR become a proxy, its certificate
 * from the mesh's authority, and a proxy token bound to that certificate (valid while it is).
 */
@Service
class FleetRegistration {
    private final TenantTransactions transactions;
    private final JoinTokens joinTokens;
    private final TaskTokens taskTokens;
    private final Proxies proxies;
    private final MeshAuthorities authorities;
    private final QuotaChecks quotas;
    private final RegistrationRefusals refusals;
    private final Duration certificateValidity;

    FleetRegistration(TenantTransactions transactions, JoinTokens joinTokens, TaskTokens taskTokens, Proxies proxies,
                      MeshAuthorities authorities, QuotaChecks quotas, RegistrationRefusals refusals,
                      @Value("${trellis.fleet.certificate-validity:24h}") Duration certificateValidity) {
        this.certificateValidity = certificateValidity;
        this.transactions = transactions;
        this.joinTokens = joinTokens;
        this.taskTokens = taskTokens;
        this.proxies = proxies;
        this.authorities = authorities;
        this.quotas = quotas;
        this.refusals = refusals;
    }

    /** The answer to a registration: {@code token} is shown once. */
    record Registered(String proxyId, String token, String tenant, String mesh, String service, String version,
                      String identity, String certificateChain, String trustBundle, Instant notAfter) {
    }

    /**
     * A join token is spent; a task token (an ECS task definition's, reusable) is only checked.
     *
     * @throws JoinTokenRefused when the token is unknown, expired, already used or revoked
     * @throws dev.trellis.billing.QuotaExceeded when the plan allows no more connected proxies; the token is not spent
     */
    Registered register(String joinToken, SigningRequest csr) {
        boolean taskToken = MintedCredential.idOf(TaskTokens.KIND, joinToken).isPresent();
        String tokenId = MintedCredential.idOf(taskToken ? TaskTokens.KIND : JoinTokens.KIND, joinToken)
                .orElseThrow(JoinTokenRefused::new);
        JoinTokens.Redeemed[] redeemed = new JoinTokens.Redeemed[1];
        try {
            return register(joinToken, csr, taskToken, tokenId, redeemed);
        } catch (QuotaExceeded refusal) {
            // The registration rolled back (its token is not spent); the refusal is kept where the user looks.
            JoinTokens.Redeemed token = redeemed[0];
            refusals.refused(token.tenantId(), token.mesh(), token.service(), token.version(), refusal, Instant.now());
            throw refusal;
        }
    }

    private Registered register(String joinToken, SigningRequest csr, boolean taskToken, String tokenId,
                                JoinTokens.Redeemed[] redeemed) {
        return transactions.withSetting("trellis.join_token_id", tokenId, () -> {
            Instant now = TenantTransactions.now();
            JoinTokens.Redeemed token = (taskToken ? taskTokens.redeem(joinToken) : joinTokens.redeem(joinToken, now))
                    .orElseThrow(JoinTokenRefused::new);
            redeemed[0] = token;
            String identity = identity(token.tenantId(), token.mesh(), token.service());
            MeshAuthority.Issued issued = authorities.forMesh(token.tenantId(), token.mesh(), now)
                    .issue(csr.publicKey(), identity, token.service(), now, certificateValidity);
            // Mesh writes lock the mesh row, then the tenant's quota lock; a registration takes them in the same
            // order (the proxy row's foreign key would otherwise take the mesh row after the quota lock: a deadlock).
            proxies.holdMesh(token.tenantId(), token.mesh());
            quotas.admitProxy(token.tenantId(), now);
            MintedCredential credential = MintedCredential.mint(Proxies.KIND);
            proxies.insert(credential.id(), credential.hash(), token, issued, now);
            refusals.admitted(token.tenantId(), token.mesh(), token.service(), token.version());
            return new Registered(credential.id(), credential.token(), token.tenantId(), token.mesh(), token.service(),
                    token.version(), identity, issued.chain(), issued.trustBundle(), issued.notAfter());
        });
    }

    /** A fresh certificate for an authenticated proxy's new key; its proxy token now follows the new certificate. */
    MeshAuthority.Issued renew(FleetProxy proxy, SigningRequest csr) {
        return transactions.inTenant(proxy.tenantId(), () -> {
            Instant now = TenantTransactions.now();
            MeshAuthority.Issued issued = authorities.forMesh(proxy.tenantId(), proxy.mesh(), now)
                    .issue(csr.publicKey(), identity(proxy.tenantId(), proxy.mesh(), proxy.service()), proxy.service(),
                            now, certificateValidity);
            proxies.renewed(proxy, issued, now);
            return issued;
        });
    }

    /** The compiler names identities; certificates must carry exactly the name snapshots check. */
    static String identity(String tenant, String mesh, String service) {
        return new MeshState(tenant, mesh, null, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), List.of())
                .identityOf(service);
    }
}
