package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.web.ProblemResponses;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * {@code /v1/fleet/**} is for proxies only, in its own filter chain ahead of the API's: registration
 * needs nothing but its join token; everything else needs a proxy token. API keys, the operator key
 * and OIDC tokens mean nothing here, so no person's credential reads a proxy's snapshot.
 */
@Configuration
class FleetSecurity {
    static final String PROXY = "PROXY";

    @Bean
    @Order(0)
    SecurityFilterChain fleet(HttpSecurity http, ProxyAuthentication authentication)
            throws Exception {
        http.securityMatcher("/v1/fleet/**")
                .csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ProxyCredentialFilter(authentication), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests
                        // An error page for a request already judged; a held long poll is answered without any dispatch.
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.POST, "/v1/fleet/register").permitAll()
                        .anyRequest().hasRole(PROXY))
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> ProblemResponses.write(response,
                                HttpStatus.UNAUTHORIZED, "Unauthorized", ProxyAuthentication.REQUIRED))
                        .accessDeniedHandler((request, response, e) -> ProblemResponses.write(response,
                                HttpStatus.FORBIDDEN, "Forbidden", "this credential may not do this")));
        return http.build();
    }
}
