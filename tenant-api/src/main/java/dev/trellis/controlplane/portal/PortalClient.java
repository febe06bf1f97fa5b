package dev.trellis.controlplane.portal;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

/**
 * The portal as a client of the identity provider: {@code trellis.portal.client-id} (a public client
 * by default, PKCE protecting the code; {@code trellis.portal.client-secret} makes it confidential).
 * The provider's metadata is read on the first sign-in, so the control plane starts while it is down.
 */
@Component
class PortalClient {
    static final String REGISTRATION = "oidc";
    private final String issuer;
    private final String clientId;
    private final String clientSecret;
    private volatile ClientRegistration registration;

    PortalClient(@Value("${trellis.oidc.issuer-uri:}") String issuer,
                 @Value("${trellis.portal.client-id:trellis-portal}") String clientId,
                 @Value("${trellis.portal.client-secret:}") String clientSecret) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    boolean configured() {
        return !issuer.isBlank();
    }

    String signInPath() {
        return "/oauth2/authorization/" + REGISTRATION;
    }

    ClientRegistrationRepository registrations() {
        return id -> REGISTRATION.equals(id) ? registration() : null;
    }

    private ClientRegistration registration() {
        ClientRegistration known = registration;
        if (known != null) return known;
        synchronized (this) {
            if (registration == null) {
                registration = ClientRegistrations.fromIssuerLocation(issuer)
                        .registrationId(REGISTRATION)
                        .clientId(clientId)
                        .clientSecret(clientSecret)
                        .clientAuthenticationMethod(clientSecret.isBlank()
                                ? ClientAuthenticationMethod.NONE : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .scope("openid", "profile", "email")
                        .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                        .build();
            }
            return registration;
        }
    }
}
