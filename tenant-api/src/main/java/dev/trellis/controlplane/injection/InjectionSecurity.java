package dev.trellis.controlplane.injection;

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

/**
 * {@code /v1/injection/kubernetes/**} is called by clusters' API servers, which cannot attach a
 * credential to a webhook call: the secret in the URL is the credential, and the webhook checks it.
 * No API key or OIDC token means anything here.
 */
@Configuration
class InjectionSecurity {

    @Bean
    @Order(1)
    SecurityFilterChain injection(HttpSecurity http) throws Exception {
        http.securityMatcher(AdmissionController.PATH + "**")
                .csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .anonymous(anonymous -> { })
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(requests -> requests
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.POST, AdmissionController.PATH + "*").permitAll()
                        .anyRequest().denyAll())
                .exceptionHandling(errors -> errors
                        .accessDeniedHandler((request, response, e) -> ProblemResponses.write(response,
                                HttpStatus.FORBIDDEN, "Forbidden", "only POST of an AdmissionReview is allowed here")));
        return http.build();
    }
}
