package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.access.BrowserSessions;
import dev.trellis.controlplane.access.Memberships;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2LoginAuthenticationFilter;
import org.springframework.security.web.authentication.logout.SimpleUrlLogoutSuccessHandler;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * The portal's backend-for-frontend session. With an identity provider ({@code trellis.oidc.issuer-uri}):
 * {@code oauth2Login} (authorization code with PKCE) keeps the tokens on the server, the browser holds
 * only the session cookie, and signing out ends the identity provider's session too (RP-initiated
 * logout). Without one, {@link LocalDemoSession} opens the demo tenant to this machine alone.
 */
@Component
class PortalSecurity implements BrowserSessions {
    static final String SIGNED_OUT = "/?signedOut";
    private static final OAuth2AuthorizedClientRepository KEEP_NO_TOKENS = new OAuth2AuthorizedClientRepository() {
        @Override
        public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String registrationId, Authentication principal,
                                                                         HttpServletRequest request) {
            return null;
        }

        @Override
        public void saveAuthorizedClient(OAuth2AuthorizedClient client, Authentication principal,
                                         HttpServletRequest request, HttpServletResponse response) {
        }

        @Override
        public void removeAuthorizedClient(String registrationId, Authentication principal,
                                           HttpServletRequest request, HttpServletResponse response) {
        }
    };
    private final String issuer;
    private final PortalClient client;
    private final PortalSignIn signIn;
    private final SessionCallers callers;

    PortalSecurity(@Value("${trellis.oidc.issuer-uri:}") String issuer,
                   @Value("${trellis.oidc.role-claim:trellis_role}") String roleClaim,
                   @Value("${trellis.portal.session.absolute-timeout:12h}") Duration absoluteTimeout,
                   PortalClient client, PortalSignIn signIn, Memberships members) {
        this.issuer = issuer;
        this.client = client;
        this.signIn = signIn;
        this.callers = new SessionCallers(roleClaim, members, absoluteTimeout);
    }

    @Override
    public void configure(HttpSecurity http) throws Exception {
        http.addFilterAfter(callers, OAuth2LoginAuthenticationFilter.class);
        if (issuer.isBlank()) {
            SimpleUrlLogoutSuccessHandler signedOut = new SimpleUrlLogoutSuccessHandler();
            signedOut.setDefaultTargetUrl(SIGNED_OUT);
            http.logout(logout -> logout.logoutUrl("/logout").logoutSuccessHandler(signedOut));
            return;
        }
        DefaultOAuth2AuthorizationRequestResolver authorization =
                new DefaultOAuth2AuthorizationRequestResolver(client.registrations(), "/oauth2/authorization");
        authorization.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        OidcClientInitiatedLogoutSuccessHandler endProviderSession =
                new OidcClientInitiatedLogoutSuccessHandler(client.registrations());
        endProviderSession.setPostLogoutRedirectUri("{baseUrl}" + SIGNED_OUT);
        http.oauth2Login(login -> login
                        .clientRegistrationRepository(client.registrations())
                        // The portal uses no token of the provider after sign-in (the ID token, for logout, is
                        // in the principal): keep no access or refresh token, in memory or in the session store.
                        .authorizedClientRepository(PortalSecurity.KEEP_NO_TOKENS)
                        .authorizationEndpoint(endpoint -> endpoint.authorizationRequestResolver(authorization))
                        .successHandler(signIn)
                        .failureHandler((request, response, e) -> response.sendRedirect("/?signInFailed")))
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessHandler(endProviderSession));
    }
}
