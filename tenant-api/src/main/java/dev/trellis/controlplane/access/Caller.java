package dev.trellis.controlplane.access;

import dev.trellis.controlplane.audit.Actor;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;

/**
 * Who is calling, resolved from an API key, an OIDC token or a portal session: the tenant comes from the
 * credential, never from the URL.
 *
 * @param tenantId the caller's tenant
 * @param subject  {@code api-key:<id>} or the token's {@code sub}, as written in audit events
 * @param role     what the caller may do
 */
public record Caller(String tenantId, String subject, Role role) implements Actor {

    /** This caller as the security chain holds it: a tenant's caller, as an API key makes one. */
    public Authentication authentication() {
        return UsernamePasswordAuthenticationToken.authenticated(this, null,
                AuthorityUtils.createAuthorityList("ROLE_" + CredentialFilter.TENANT));
    }

    /** @throws Forbidden when the caller's role is weaker than {@code least} */
    public void require(Role least) {
        if (!role.atLeast(least)) throw new Forbidden("this needs the " + least.wireName() + " role or stronger");
    }
}
