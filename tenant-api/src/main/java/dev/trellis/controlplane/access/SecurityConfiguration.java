package dev.trellis.controlplane.access;

import dev.trellis.controlplane.web.ProblemResponses;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;

/**
 * Who may reach what: the operator creates tenants, tenants' callers use the rest of {@code /v1}.
 * Roles inside a tenant are checked by the features themselves ({@link Caller#require}).
 * Every refusal is a problem document.
 */
@Configuration
class SecurityConfiguration {

    @Bean
    SecurityFilterChain api(HttpSecurity http, ApiKeys keys, OperatorKey operatorKey, OidcConfigurer oidc) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
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
                                HttpStatus.FORBIDDEN, "Forbidden", "this credential may not do this")));
        oidc.configure(http);
        return http.build();
    }
}
