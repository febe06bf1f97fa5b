package dev.trellis.controlplane.access;

import dev.trellis.controlplane.web.ProblemResponses;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderInitializationException;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.stereotype.Component;

import java.util.Optional;

/**
 * OIDC bearer tokens, when {@code trellis.oidc.issuer-uri} is set: signature, issuer and audience
 * are checked; the tenant comes from a claim, the role from a claim or else from {@code /v1/members}.
 */
@Component
class OidcConfigurer {
    private final String issuer;
    private final String audience;
    private final String tenantClaim;
    private final String roleClaim;
    private final Members members;

    OidcConfigurer(@Value("${trellis.oidc.issuer-uri:}") String issuer,
                   @Value("${trellis.oidc.audience:trellis}") String audience,
                   @Value("${trellis.oidc.tenant-claim:trellis_tenant}") String tenantClaim,
                   @Value("${trellis.oidc.role-claim:trellis_role}") String roleClaim,
                   Members members) {
        this.issuer = issuer;
        this.audience = audience;
        this.tenantClaim = tenantClaim;
        this.roleClaim = roleClaim;
        this.members = members;
    }

    void configure(HttpSecurity http) throws Exception {
        if (issuer.isBlank()) return;
        // Resolved on the first token, so the control plane starts while the identity provider is down.
        JwtDecoder lazy = new SupplierJwtDecoder(() -> {
            NimbusJwtDecoder nimbus = NimbusJwtDecoder.withIssuerLocation(issuer).build();
            nimbus.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuer),
                    jwt -> jwt.getAudience() != null && jwt.getAudience().contains(audience)
                            ? OAuth2TokenValidatorResult.success()
                            : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "wrong audience", null))));
            return nimbus;
        });
        // An unreachable identity provider is the server's trouble (503), not a bad token and not a 500.
        JwtDecoder decoder = token -> {
            try {
                return lazy.decode(token);
            } catch (JwtDecoderInitializationException e) {
                throw new JwtException("the identity provider cannot be reached", e);
            }
        };
        DefaultBearerTokenResolver standard = new DefaultBearerTokenResolver();
        http.oauth2ResourceServer(server -> server
                .bearerTokenResolver(request -> {
                    // API keys and the operator key were already handled by CredentialFilter.
                    if (SecurityContextHolder.getContext().getAuthentication() != null) return null;
                    String token = standard.resolve(request);
                    return token == null || CredentialFilter.isApiKey(token) ? null : token;
                })
                .authenticationEntryPoint((request, response, e) -> ProblemResponses.write(response,
                        HttpStatus.UNAUTHORIZED, "Unauthorized", "the bearer token is not valid here"))
                .withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
                    @Override
                    public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
                        filter.setAuthenticationFailureHandler((request, response, e) -> {
                            if (e instanceof AuthenticationServiceException) {
                                ProblemResponses.write(response, HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable",
                                        "tokens cannot be checked now; retry later or use an API key");
                            } else {
                                ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                                        "the bearer token is not valid here");
                            }
                        });
                        return filter;
                    }
                })
                .jwt(jwt -> jwt.decoder(decoder).jwtAuthenticationConverter(this::authenticate)));
    }

    private UsernamePasswordAuthenticationToken authenticate(Jwt jwt) {
        String tenant = jwt.getClaimAsString(tenantClaim);
        if (tenant == null || tenant.isBlank()) throw new InvalidBearerTokenException("the token names no tenant");
        String subject = jwt.getSubject();
        Optional<Role> role = Optional.ofNullable(jwt.getClaimAsString(roleClaim)).flatMap(Role::parse)
                .or(() -> members.roleOf(tenant, subject));
        if (role.isEmpty()) throw new InvalidBearerTokenException("the subject is not a member of the tenant");
        return UsernamePasswordAuthenticationToken.authenticated(new Caller(tenant, subject, role.get()), jwt,
                AuthorityUtils.createAuthorityList("ROLE_" + CredentialFilter.TENANT));
    }
}
