package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wake-up's one-query verification of its proxies' tokens, against the real database and its
 * row-level security: only tokens that match, of certificates still valid, of the waking
 * snapshot's tenant, are kept. Same configuration as the other integration tests, so the same context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "trellis.operator-key=it-operator-key-0123456789",
        "trellis.home=target/it-home"})
class WokenProxyTokensIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    WokenProxyTokens woken;
    @Autowired
    RecentProxyTokens recent;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcClient jdbc;

    @Test
    void keepsOnlyMatchingTokensOfValidCertificatesInTheWakingTenant() throws Exception {
        String tenant = tenantWithMesh();
        String other = tenantWithMesh();
        Instant now = TenantTransactions.now();
        MintedCredential valid = proxy(tenant, now.plus(Duration.ofHours(1)));
        MintedCredential expired = proxy(tenant, now.minusSeconds(1));
        MintedCredential wrongToken = proxy(tenant, now.plus(Duration.ofHours(1)));
        MintedCredential otherTenants = proxy(other, now.plus(Duration.ofHours(1)));

        woken.verify(tenant, Map.of(valid.id(), valid.token(), expired.id(), expired.token(),
                wrongToken.id(), MintedCredential.mint(Proxies.KIND).token(), otherTenants.id(), otherTenants.token()));

        assertThat(recent.find(MintedCredential.hash(valid.token()), now, false)).hasValueSatisfying(proxy -> {
            assertThat(proxy.id()).isEqualTo(valid.id());
            assertThat(proxy.tenantId()).isEqualTo(tenant);
            assertThat(proxy.service()).isEqualTo("web");
        });
        assertThat(recent.find(MintedCredential.hash(expired.token()), now, false)).isEmpty();
        assertThat(recent.find(MintedCredential.hash(wrongToken.token()), now, false)).isEmpty();
        assertThat(recent.find(MintedCredential.hash(otherTenants.token()), now, false)).as("another tenant's row is invisible").isEmpty();
    }

    private MintedCredential proxy(String tenantId, Instant notAfter) {
        return TestProxies.insert(transactions, jdbc, tenantId, notAfter);
    }

    /** A new tenant with the mesh {@code shop}, made through the API; answers the tenant's id. */
    private String tenantWithMesh() throws Exception {
        String created = send("POST", "/v1/tenants", "it-operator-key-0123456789",
                "{\"name\": \"w-" + UUID.randomUUID().toString().substring(0, 8) + "\"}", 201);
        String key = field(created, "apiKey");
        send("PUT", "/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}", 201);
        return field(send("GET", "/v1/tenant", key, null, 200), "id");
    }

    private String send(String method, String path, String bearer, String body, int expected) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return response.body();
    }

    private static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(value.find()).as(name + " in " + json).isTrue();
        return value.group(1);
    }
}
