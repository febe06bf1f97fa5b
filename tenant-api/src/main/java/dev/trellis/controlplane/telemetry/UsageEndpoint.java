package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.FleetProxy;
import dev.trellis.controlplane.fleet.ProxyAuthentication;
import dev.trellis.controlplane.web.ApiProblem;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.ProblemResponses;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code POST /v1/fleet/usage}: a proxy's usage report (authenticated as that proxy; the tenant, mesh
 * and service are the proxy's own, never the report's). Answers 200 both when the report is counted
 * now and when it had been counted before ({@code duplicate}), so a proxy that resends after a
 * timeout stops resending.
 *
 * <p>Every proxy sends one every 10 s, so this one path is served by a servlet filter of its own,
 * ahead of Spring Security's chain and Spring MVC: with them a report spent about a quarter of its
 * request-path CPU in security filters, handler lookup and argument binding that nothing here needs.
 * What they gave it is done here: the proxy token ({@link ProxyAuthentication}, 401 as the fleet chain
 * answers it), the method (405) and problem details with every violation. A report that finds too many
 * of its tenant's reports waiting to be written is answered 503 with {@code Retry-After}. The body limit, its media
 * type (413, 415) and the 503 of an unreachable database come from the filters ahead of this one.
 */
@Configuration
class UsageEndpoint {
    static final String PATH = "/v1/fleet/usage";

    private final ProxyAuthentication authentication;
    private final UsageIngest ingest;

    UsageEndpoint(ProxyAuthentication authentication, UsageIngest ingest) {
        this.authentication = authentication;
        this.ingest = ingest;
    }

    @Bean
    FilterRegistrationBean<Filter> usageReports() {
        Filter endpoint = (ServletRequest request, ServletResponse response, FilterChain chain) ->
                serve((HttpServletRequest) request, (HttpServletResponse) response);
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(endpoint);
        registration.addUrlPatterns(PATH);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        // After the body limit and the database's 503 (both the highest precedence), before Spring Security (-100).
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }

    private void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String token = ProxyAuthentication.token(request);
        if (token == null) {
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized", ProxyAuthentication.REQUIRED);
            return;
        }
        // Hashed once: the token cache's key, and what the insert checks against the proxy's row.
        byte[] tokenHash = MintedCredential.hash(token);
        Optional<FleetProxy> proxy = authentication.authenticate(token, tokenHash, true);
        if (proxy.isEmpty()) {
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                    ProxyAuthentication.UNKNOWN);
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, "POST");
            ProblemResponses.write(response, HttpStatus.METHOD_NOT_ALLOWED, "Method Not Allowed",
                    "this method is not allowed here");
            return;
        }
        Instant now = TenantTransactions.now();
        boolean counted;
        long sequence;
        try {
            UsageReport report = UsageReport.read(JsonBody.object(request.getInputStream().readAllBytes()), proxy.get().id(), now);
            sequence = report.sequence();
            // The proxy was let in on this replica's memory of its token: the insert checks its row again.
            counted = ingest.ingest(proxy.get(), tokenHash, report, now);
        } catch (RuntimeException e) {
            // A problem of its own (a revoked proxy, too many reports waiting: 503 with Retry-After) is answered
            // here; anything else (the database out of reach among it) by the filters ahead.
            if (!(e instanceof ApiProblem known)) throw e;
            ProblemResponses.write(response, known);
            return;
        }
        response.setStatus(HttpStatus.OK.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        // Two fields, a number and a boolean: nothing in them needs escaping.
        response.getOutputStream().write(("{\"sequence\":" + sequence + ",\"duplicate\":" + !counted + "}")
                .getBytes(StandardCharsets.US_ASCII));
    }
}
