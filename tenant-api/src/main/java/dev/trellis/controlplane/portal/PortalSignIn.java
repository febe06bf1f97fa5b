package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.access.Memberships;
import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.tenant.TenantNameTaken;
import dev.trellis.controlplane.tenant.TenantSignup;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.Locale;

/**
 * After the identity provider signed a person in: which tenant the session works in, kept in the
 * session. A tenant named by the token's tenant claim; else the tenant that invited the subject as a
 * member; else (self-service sign-up) a new tenant with the person as its owner. The role is not
 * kept: {@link SessionCallers} reads it on every request, as for a bearer token.
 */
@Component
class PortalSignIn implements AuthenticationSuccessHandler {
    static final String TENANT = "trellis.portal.tenant";
    private final String tenantClaim;
    private final Memberships members;
    private final TenantSignup signup;

    PortalSignIn(@Value("${trellis.oidc.tenant-claim:trellis_tenant}") String tenantClaim, Memberships members,
                 TenantSignup signup) {
        this.tenantClaim = tenantClaim;
        this.members = members;
        this.signup = signup;
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        OidcUser user = (OidcUser) authentication.getPrincipal();
        request.getSession().setAttribute(TENANT, tenantOf(user));
        response.sendRedirect("/");
    }

    String tenantOf(OidcUser user) {
        String claimed = user.getClaimAsString(tenantClaim);
        if (claimed != null && !claimed.isBlank()) return claimed;
        return members.invitationOf(user.getSubject()).map(Memberships.Invitation::tenantId)
                .orElseGet(() -> signUp(user));
    }

    private String signUp(OidcUser user) {
        String base = slug(user.getPreferredUsername() != null ? user.getPreferredUsername() : "tenant");
        for (int attempt = 0; ; attempt++) {
            String name = base + "-" + MintedCredential.randomId(6).toLowerCase(Locale.ROOT);
            try {
                return signup.signUpPerson(name, user.getSubject()).id();
            } catch (TenantNameTaken taken) {
                if (attempt == 3) throw taken;
            }
        }
    }

    /** A tenant name from a user name: lower-case letters, digits and dashes, as names must be. */
    static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-+$", "");
        return slug.isEmpty() || !Character.isLetter(slug.charAt(0)) ? "t-" + slug : slug;
    }
}
