package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.authority.MeshAuthority;
import dev.trellis.controlplane.authority.SigningRequest;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Instant;
import java.util.Set;

/** What proxies call: register, renew their certificate, long-poll their snapshot, report what they did with it, offer their endpoint. */
@RestController
class FleetController {
    private static final int MAX_REASON = 2000;
    /** A PEM CSR for an RSA-4096 key is about 1.7 KB; this leaves room for extensions without inviting abuse. */
    private static final int MAX_CSR = 16 * 1024;

    private final FleetRegistration registration;
    private final ConfigLongPoll longPoll;
    private final ProxyReports reports;
    private final FleetEndpoints endpoints;
    private final RecentProxyTokens recentTokens;

    FleetController(FleetRegistration registration, ConfigLongPoll longPoll, ProxyReports reports, FleetEndpoints endpoints,
                    RecentProxyTokens recentTokens) {
        this.endpoints = endpoints;
        this.registration = registration;
        this.longPoll = longPoll;
        this.reports = reports;
        this.recentTokens = recentTokens;
    }

    record Renewed(String certificateChain, String trustBundle, Instant notAfter) {
    }

    @PostMapping("/v1/fleet/register")
    @ResponseStatus(HttpStatus.CREATED)
    FleetRegistration.Registered register(@RequestBody(required = false) byte[] body) {
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("joinToken", "csr"));
        String joinToken = document.text("joinToken");
        String csr = document.text("csr", MAX_CSR);
        document.check();
        return registration.register(joinToken, SigningRequest.parse(csr, "csr"));
    }

    @PostMapping("/v1/fleet/certificates")
    Renewed renew(@AuthenticationPrincipal FleetProxy proxy, @RequestBody(required = false) byte[] body) {
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("csr"));
        String csr = document.text("csr", MAX_CSR);
        document.check();
        MeshAuthority.Issued issued = registration.renew(proxy, SigningRequest.parse(csr, "csr"));
        recentTokens.forget(proxy.id());
        return new Renewed(issued.chain(), issued.trustBundle(), issued.notAfter());
    }

    /** Writes its answer itself, now or when woken ({@link ConfigLongPoll}): nothing for MVC to render. */
    @GetMapping("/v1/fleet/config")
    void config(@AuthenticationPrincipal FleetProxy proxy, @RequestParam(required = false) String version,
                HttpServletRequest request, HttpServletResponse response) throws IOException {
        reports.seen(proxy, TenantTransactions.now());
        longPoll.poll(proxy, version, request, response);
    }

    @PostMapping("/v1/fleet/endpoints")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void registerEndpoint(@AuthenticationPrincipal FleetProxy proxy, @RequestBody(required = false) byte[] body,
                          HttpServletRequest request) {
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("address", "port"));
        String address = document.text("address");
        JsonNode port = JsonBody.object(body).get("port");
        String refused = address == null ? null : EndpointOffers.problem(address, request.getRemoteAddr());
        if (refused != null) document.violation("address", refused);
        if (port == null || !port.isInt() || port.asInt() < 1 || port.asInt() > 65535) document.violation("port", "must be an integer between 1 and 65535");
        document.check();
        endpoints.register(proxy, address, port.asInt());
    }

    @DeleteMapping("/v1/fleet/endpoints")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deregisterEndpoint(@AuthenticationPrincipal FleetProxy proxy) {
        endpoints.deregister(proxy);
        recentTokens.forget(proxy.id());
    }

    @PostMapping("/v1/fleet/status")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void status(@AuthenticationPrincipal FleetProxy proxy, @RequestBody(required = false) byte[] body) {
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("version", "result", "reason"));
        String version = document.text("version");
        String result = document.text("result");
        String reason = document.optionalText("reason", MAX_REASON).orElse(null);
        if (result != null && !Set.of("applied", "rejected").contains(result)) {
            document.violation("result", "must be \"applied\" or \"rejected\"");
        }
        if ("rejected".equals(result) && (reason == null || reason.isBlank())) document.violation("reason", "is required when rejected");
        document.check();
        Instant now = TenantTransactions.now();
        if (result.equals("applied")) reports.applied(proxy, version, now);
        else reports.rejected(proxy, version, reason, now);
    }
}
