package dev.trellis.controlplane.access;

import dev.trellis.controlplane.web.ProblemResponses;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;

import java.util.Set;

/**
 * Who may reach what: the operator creates tenants, tenants' callers use the rest of {@code /v1}.
 * Roles inside a tenant are checked by the features themselves ({@link Caller#require}).
 * Every refusal is a problem document.
 *
 * <p>A browser session (the portal, {@link BrowserSessions}) is one more way to be a caller. Only a
 * request that presents a session cookie can be authenticated by it, so only such a request must
 * carry the session's CSRF token to change anything; API keys, bearer tokens, proxies and webhooks
 * send no cookie and need none. No session is ever created for them.
 */
@Configuration
class SecurityConfiguration {
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Bean
    SecurityFilterChain api(HttpSecurity http, ApiKeys keys, OperatorKey operatorKey, OidcConfigurer oidc,
                            ObjectProvider<BrowserSessions> browser) throws Exception {
        http.csrf(csrf -> csrf
                        .csrfTokenRepository(new HttpSessionCsrfTokenRepository())
                        .requireCsrfProtectionMatcher(SecurityConfiguration::mayUseTheSession))
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session
                        // Only a sign-in stores a session (IF_REQUIRED, the default, without a filter that
                        // would keep any request's credential in one).
                        .requireExplicitAuthenticationStrategy(true))
                .addFilterBefore(new CredentialFilter(keys, operatorKey), BearerTokenAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(HttpMethod.POST, "/v1/tenants").hasRole(CredentialFilter.OPERATOR)
                        .requestMatchers("/v1/operator/**").hasRole(CredentialFilter.OPERATOR)
                        .requestMatchers("/v1/**").hasRole(CredentialFilter.TENANT)
                        .anyRequest().permitAll())
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> ProblemResponses.write(response,
                                HttpStatus.UNAUTHORIZED, "Unauthorized", "a valid API key or bearer token is required"))
                        .accessDeniedHandler((request, response, e) -> ProblemResponses.write(response,
                                HttpStatus.FORBIDDEN, "Forbidden", e instanceof CsrfException
                                        ? "a change made with a session needs its CSRF token (header X-CSRF-TOKEN)"
                                        : "this credential may not do this")));
        oidc.configure(http);
        BrowserSessions sessions = browser.getIfAvailable();
        if (sessions != null) sessions.configure(http);
        return http.build();
    }

    /** A state-changing request that could be authenticated by a session cookie (and not by a header). */
    private static boolean mayUseTheSession(HttpServletRequest request) {
        return !SAFE_METHODS.contains(request.getMethod())
                && CredentialFilter.bearer(request).isEmpty()
                && request.getRequestedSessionId() != null;
    }
}
